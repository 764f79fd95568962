// The originality report as JSON (for the stage gate and the stage report) and as a text
// table (for the terminal). Called by the CLI and by the stage subsystem; the JSON shape is
// documented in docs/origin.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kaieval/origin/origin_compare.h"

namespace kaieval::origin {

// {"kind": "kaieval-origin-report", "version": 1, "candidate", "verdict", "derived": [...],
//  "null": {...}, "components": [...], "references": [{..., "components", "tensors", "vectors",
//  "heatmap", "vocabulary"}], ...}; NaN values are null.
nlohmann::json OriginReportJson(const OriginReport& report);

// The verdict, the null used, and per reference the component table and the vocabulary line.
std::string OriginReportText(const OriginReport& report);

}  // namespace kaieval::origin

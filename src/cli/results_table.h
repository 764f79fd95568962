// Prints a results JSON as the table evaluation staff know from lm-evaluation-harness:
// one row per task, filter and metric, with the value and its standard error.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kaieval::cli {

std::string FormatResultsTable(const nlohmann::ordered_json& results);

}  // namespace kaieval::cli

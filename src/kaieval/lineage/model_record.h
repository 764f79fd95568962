// One Hub ModelInfo object (a line of a snapshot), reduced to what the lineage graph needs:
// id, uploader, dates, downloads, declared bases and relation, and the evidence in its files.
// ParseModelRecord is called by the snapshot reader for every line; it never throws.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/lineage/relation.h"

namespace kaieval::lineage {

inline constexpr int32_t kUnknownDay = INT32_MIN;

struct ModelRecord {
  std::string id;                       // normalised
  std::string author;                   // "author", else the id's organisation
  int32_t created_day = kUnknownDay;    // days since 1970-01-01 of "createdAt"
  int64_t downloads = -1;               // "downloads" (the Hub's 30-day figure); -1 absent
  int64_t downloads_all_time = -1;      // "downloadsAllTime"; -1 absent
  uint16_t flags = 0;                   // EvidenceFlag bits
  bool has_file_list = false;           // "siblings" present
  Relation declared = Relation::kNone;  // base_model:<relation>: tag, else base_model_relation
  std::vector<std::string> bases;       // normalised, distinct (case-insensitively)
  uint64_t fingerprint = 0;             // of the weight files (sizes or sha256); 0 unknown
  std::vector<std::string> problems;    // non-fatal: bad base_model values, ...
  std::vector<std::string> missing;     // optional fields absent: "createdAt", "siblings", ...

  void Clear();
};

// Parses one JSON object. `text` must be followed by simdjson::SIMDJSON_PADDING readable bytes.
// Returns "" when `out` holds a usable record (possibly with problems), else why the line
// cannot be used (not JSON, not an object, no id, an id with illegal characters).
std::string ParseModelRecord(simdjson::dom::parser& parser, std::string_view text,
                             ModelRecord& out);

// Days since 1970-01-01 of "YYYY-MM-DD" optionally followed by "T..." (ISO 8601); nullopt when
// the date is not one.
std::optional<int32_t> ParseIsoDay(std::string_view text);
// "YYYY-MM-DD" of a day number.
std::string IsoDay(int32_t day);

}  // namespace kaieval::lineage

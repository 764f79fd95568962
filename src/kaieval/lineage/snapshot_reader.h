// Streaming reader of Hub snapshots: JSONL, one ModelInfo object per line, as the Hub API
// returns it. Lines are parsed in place with simdjson from a 4 MiB window, so memory does not
// grow with the file; bad lines are reported with their number and skipped. Used by
// LineageGraph::Load and the fuzz target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "kaieval/lineage/model_record.h"

namespace kaieval::lineage {

struct SnapshotProblem {
  size_t line = 0;
  std::string message;  // "not valid JSON (...)", "cardData.base_model[1]: expected a string..."
};

struct MissingField {
  std::string field;  // "createdAt", "downloads", "siblings"
  size_t records = 0;
  size_t first_line = 0;
};

// What a snapshot held: the evidence record of one count.
struct SnapshotInfo {
  std::string path;
  std::string content_hash;  // XXH3-128 of the file's bytes, 32 hex digits
  size_t lines = 0;          // non-blank lines
  size_t records = 0;        // usable records
  size_t skipped = 0;        // lines that could not be used
  size_t problem_count = 0;  // all problems, including non-fatal ones on usable records
  std::vector<SnapshotProblem> problems;  // the first kMaxProblems
  std::vector<MissingField> missing;
  int32_t latest_day = kUnknownDay;  // the latest createdAt: the snapshot's "as of" day
  static constexpr size_t kMaxProblems = 200;

  void AddProblem(size_t line, std::string message);
};

using RecordSink = std::function<void(const ModelRecord& record, size_t line)>;

// Reads every line of `in`, calling `sink` for each usable record, and fills `info` (its path
// names the input in messages). Throws InputError when no line at all is usable.
void ReadSnapshot(std::istream& in, const RecordSink& sink, SnapshotInfo& info);

// The same for a file, parsing on a second thread while `sink` runs on the caller's (in file
// order); also sets info.path and info.content_hash. Throws InputError when the file cannot be
// read.
void ReadSnapshotFile(const std::string& path, const RecordSink& sink, SnapshotInfo& info);

}  // namespace kaieval::lineage

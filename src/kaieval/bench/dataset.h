// Local benchmark datasets: which files a task's dataset_path and test_split/fewshot_split name,
// and their documents from JSONL, JSON, CSV or TSV. The task loader and the runner call this.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kaieval::bench {

enum class DataFormat { kJsonl, kJson, kCsv, kTsv };

// "jsonl", "json", "csv" or "tsv".
std::string_view DataFormatName(DataFormat format);

// From the file extension (.jsonl/.ndjson, .json, .csv, .tsv, any case); throws InputError
// naming the file otherwise.
DataFormat GuessFormat(const std::filesystem::path& file);

// "jsonl" (or "ndjson"), "json", "csv", "tsv"; `where` (e.g. "task.yaml:4: dataset_format")
// starts the InputError for anything else.
DataFormat ParseDataFormat(std::string_view name, std::string_view where);

struct Document {
  nlohmann::ordered_json fields;  // a JSON object: column -> value, in the file's column order
  // Where the document came from, for error messages:
  //   JSONL     "path:line"  (1-based line)
  //   CSV/TSV   "path:row N" (1-based data row; the header is row 0, so with no multi-line
  //                           quoted fields row N is on line N+1)
  //   JSON      "path[i]"    (0-based index into the array of documents)
  std::string origin;
};

// Called once per document; return false to stop reading.
using DocumentVisitor = std::function<bool(Document&&)>;

// The files that a split names, in reading order. Paths resolve against `base_dir` when
// relative (the task file's folder).
//   - `dataset_path` empty: `split` alone names the data.
//   - `dataset_path` a folder: `split` is relative to it.
//   - `dataset_path` a file (or a pattern) and `split` empty: that file (those files).
//   - `dataset_path` a file and `split` given: an error (a file holds one split).
// `split` (or `dataset_path`) may be
//   - a file;
//   - a folder: its data files (.jsonl .ndjson .json .csv .tsv), not recursing, sorted by name;
//   - a pattern with * and ? in its last component, e.g. "data/test-*.jsonl": matching files,
//     sorted by name (a leading '.' must be matched literally, as in a shell);
//   - a bare split name such as "test" with no such file or folder: the one data file
//     test.jsonl, test.ndjson, test.json, test.csv or test.tsv beside it.
// Throws InputError naming the pattern and the folder when nothing matches.
std::vector<std::filesystem::path> ResolveSplitFiles(const std::filesystem::path& base_dir,
                                                     const std::string& dataset_path,
                                                     const std::string& split);

// Reads documents from a stream (a file's bytes, or bytes in memory) in the given format;
// `source` names it in origins and errors. Memory stays flat for JSONL, CSV and TSV; a JSON
// document is parsed whole. Returns false if `visit` stopped the reading.
// Throws InputError on malformed input or invalid UTF-8, naming source and line or row.
bool ReadDocuments(std::istream& in, const std::string& source, DataFormat format,
                   const DocumentVisitor& visit);

// Every document of the split's files (see ResolveSplitFiles), in order. `format` overrides
// the guess from each file's extension. `limit` > 0 stops after that many documents.
std::vector<Document> LoadSplit(const std::filesystem::path& base_dir,
                                const std::string& dataset_path, const std::string& split,
                                std::optional<DataFormat> format, size_t limit = 0);

// As LoadSplit, but hands each document to `visit` as it is read, so memory stays flat for big
// files; stops when `visit` returns false or after `limit` documents (if > 0).
void ForEachDocument(const std::filesystem::path& base_dir, const std::string& dataset_path,
                     const std::string& split, std::optional<DataFormat> format, size_t limit,
                     const DocumentVisitor& visit);

// 32 hex digits over the split's files' names (without their folders, so the hash does not
// depend on where the task lives) and bytes, in reading order; part of the task version.
std::string HashSplitFiles(const std::filesystem::path& base_dir, const std::string& dataset_path,
                           const std::string& split);

}  // namespace kaieval::bench

#include "kaieval/bench/dataset.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "kaieval/bench/csv_reader.h"
#include "kaieval/common/error.h"
#include "kaieval/common/hash.h"
#include "kaieval/common/utf8.h"

namespace kaieval::bench {
namespace fs = std::filesystem;
namespace {

constexpr std::array<std::string_view, 5> kDataExtensions = {".jsonl", ".ndjson", ".json", ".csv",
                                                             ".tsv"};
constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string Lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

bool IsDataFile(const fs::path& file) {
  std::string ext = Lower(file.extension().string());
  return std::find(kDataExtensions.begin(), kDataExtensions.end(), ext) != kDataExtensions.end();
}

bool HasWildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

// '*' matches any run of bytes, '?' one UTF-8 code point; a leading '.' only matches literally.
bool GlobMatch(std::string_view pattern, std::string_view name) {
  if (!name.empty() && name[0] == '.' && (pattern.empty() || pattern[0] != '.')) return false;
  size_t p = 0, n = 0, star_p = std::string_view::npos, star_n = 0;
  auto next_code_point = [&](size_t i) {
    ++i;
    while (i < name.size() && (static_cast<unsigned char>(name[i]) & 0xC0) == 0x80) ++i;
    return i;
  };
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_n = n;
    } else if (p < pattern.size() && pattern[p] == '?') {
      ++p;
      n = next_code_point(n);
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p;
      ++n;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

fs::path Resolve(const fs::path& dir, const std::string& p) {
  fs::path path(p);
  return (path.is_absolute() ? path : dir / path).lexically_normal();
}

std::string FolderName(const fs::path& dir) { return dir.empty() ? "." : dir.string(); }

// Regular files (or links to them) directly in `dir` whose names pass `keep`, sorted by name.
template <typename Keep>
std::vector<fs::path> FilesIn(const fs::path& dir, Keep keep) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code type_ec;
    std::string name = it->path().filename().string();
    if (it->is_regular_file(type_ec) && keep(name)) files.push_back(dir / name);
  }
  if (ec) {
    throw InputError(fmt::format("cannot list folder '{}': {}", FolderName(dir), ec.message()));
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fs::path> DataFilesIn(const fs::path& dir) {
  std::vector<fs::path> files =
      FilesIn(dir, [](const std::string& name) { return name[0] != '.' && IsDataFile(name); });
  if (files.empty()) {
    throw InputError(fmt::format(
        "folder '{}' holds no data files (expected .jsonl, .ndjson, .json, .csv or .tsv)",
        FolderName(dir)));
  }
  return files;
}

// What one name (a file, a folder, a pattern or a bare split name) under `dir` stands for.
std::vector<fs::path> MatchFiles(const fs::path& dir, const std::string& name) {
  fs::path path = Resolve(dir, name);
  fs::path parent = path.parent_path();
  std::string last = path.filename().string();
  if (HasWildcard(parent.string())) {
    throw InputError(
        fmt::format("data path '{}': * and ? may only appear in the last path "
                    "component (the file name)",
                    name));
  }
  if (HasWildcard(last)) {
    if (!fs::is_directory(parent)) {
      throw InputError(fmt::format("no folder '{}' to match '{}' in", FolderName(parent), last));
    }
    auto files = FilesIn(parent, [&](const std::string& n) { return GlobMatch(last, n); });
    if (files.empty()) {
      throw InputError(fmt::format("no files match '{}' in folder '{}'", last, FolderName(parent)));
    }
    return files;
  }
  if (fs::is_directory(path)) return DataFilesIn(path);
  if (fs::exists(path)) return {path};
  std::vector<fs::path> found;
  for (std::string_view ext : kDataExtensions) {
    fs::path candidate = path;
    candidate += ext;
    if (fs::is_regular_file(candidate)) found.push_back(candidate);
  }
  if (found.size() == 1) return found;
  if (found.size() > 1) {
    throw InputError(
        fmt::format("'{}' in folder '{}' is ambiguous: {} files match ({}, ...); "
                    "name the file with its extension",
                    last, FolderName(parent), found.size(), found[0].filename().string()));
  }
  throw InputError(
      fmt::format("no file or folder '{}' in folder '{}' (also tried {}.jsonl, "
                  ".ndjson, .json, .csv, .tsv)",
                  last, FolderName(parent), last));
}

std::string StripJsonErrorId(const char* what) {
  std::string_view s(what);
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find("] ");
    if (close != std::string_view::npos) s.remove_prefix(close + 2);
  }
  return std::string(s);
}

bool ReadJsonl(std::istream& in, const std::string& source, const DocumentVisitor& visit) {
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    std::string_view text(line);
    if (line_no == 1 && text.starts_with(kBom)) text.remove_prefix(kBom.size());
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t\r\f\v") == std::string_view::npos) continue;
    if (!IsValidUtf8(text)) {
      throw InputError(
          fmt::format("{}:{}: invalid UTF-8 (save the file as UTF-8)", source, line_no));
    }
    Document doc;
    doc.origin = fmt::format("{}:{}", source, line_no);
    try {
      doc.fields = nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw InputError(fmt::format("{}: invalid JSON, expected one object per line: {}", doc.origin,
                                   StripJsonErrorId(e.what())));
    }
    if (!doc.fields.is_object()) {
      throw InputError(
          fmt::format("{}: expected a JSON object, got {}", doc.origin, doc.fields.type_name()));
    }
    if (!visit(std::move(doc))) return false;
  }
  if (in.bad()) throw InputError(fmt::format("{}: read error", source));
  return true;
}

// The array of documents in a JSON file: the top level, or the one array-of-objects member.
nlohmann::ordered_json* FindDocumentArray(nlohmann::ordered_json& root, const std::string& source) {
  if (root.is_array()) return &root;
  if (!root.is_object()) {
    throw InputError(
        fmt::format("{}: expected an array of objects, or an object with one such "
                    "array (e.g. {{\"data\": [...]}}), got {}",
                    source, root.type_name()));
  }
  nlohmann::ordered_json* found = nullptr;
  std::vector<std::string> names;
  for (auto& [key, value] : root.items()) {
    bool all_objects = value.is_array() && std::all_of(value.begin(), value.end(),
                                                       [](auto& v) { return v.is_object(); });
    if (!all_objects) continue;
    names.push_back(key);
    found = &value;
  }
  if (names.size() != 1) {
    throw InputError(fmt::format(
        "{}: expected an array of objects, or an object with exactly one member that is an "
        "array of objects (e.g. {{\"data\": [...]}}); found {} such members{}",
        source, names.size(),
        names.empty() ? "" : fmt::format(" ('{}')", fmt::join(names, "', '"))));
  }
  return found;
}

bool ReadJson(std::istream& in, const std::string& source, const DocumentVisitor& visit) {
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw InputError(fmt::format("{}: read error", source));
  std::string_view text(bytes);
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  if (!IsValidUtf8(text)) {
    size_t line_no = 1;
    for (size_t start = 0; start <= text.size(); ++line_no) {
      size_t end = std::min(text.find('\n', start), text.size());
      if (!IsValidUtf8(text.substr(start, end - start))) break;
      start = end + 1;
    }
    throw InputError(fmt::format("{}:{}: invalid UTF-8 (save the file as UTF-8)", source, line_no));
  }
  nlohmann::ordered_json root;
  try {
    root = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(
        fmt::format("{}: invalid JSON: {} (for one object per line, use the jsonl "
                    "format)",
                    source, StripJsonErrorId(e.what())));
  }
  nlohmann::ordered_json* docs = FindDocumentArray(root, source);
  for (size_t i = 0; i < docs->size(); ++i) {
    Document doc{std::move((*docs)[i]), fmt::format("{}[{}]", source, i)};
    if (!doc.fields.is_object()) {
      throw InputError(
          fmt::format("{}: expected a JSON object, got {}", doc.origin, doc.fields.type_name()));
    }
    if (!visit(std::move(doc))) return false;
  }
  return true;
}

bool ReadTable(std::istream& in, const std::string& source, CsvDialect dialect,
               const DocumentVisitor& visit) {
  CsvTableReader reader(in, source, dialect);
  Document doc;
  while (reader.Next(doc.fields)) {
    doc.origin = fmt::format("{}:row {}", source, reader.row());
    if (!visit(std::move(doc))) return false;
    doc = Document();
  }
  if (in.bad()) throw InputError(fmt::format("{}: read error", source));
  return true;
}

std::ifstream OpenData(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw InputError(
        fmt::format("cannot open data file '{}': {}", file.string(), std::strerror(errno)));
  }
  return in;
}

}  // namespace

std::string_view DataFormatName(DataFormat format) {
  switch (format) {
    case DataFormat::kJsonl:
      return "jsonl";
    case DataFormat::kJson:
      return "json";
    case DataFormat::kCsv:
      return "csv";
    case DataFormat::kTsv:
      return "tsv";
  }
  return "unknown";
}

DataFormat GuessFormat(const fs::path& file) {
  std::string ext = Lower(file.extension().string());
  if (ext == ".jsonl" || ext == ".ndjson") return DataFormat::kJsonl;
  if (ext == ".json") return DataFormat::kJson;
  if (ext == ".csv") return DataFormat::kCsv;
  if (ext == ".tsv") return DataFormat::kTsv;
  throw InputError(
      fmt::format("data file '{}': cannot tell its format from the extension '{}'; "
                  "expected .jsonl, .ndjson, .json, .csv or .tsv, or set "
                  "dataset_format",
                  file.string(), ext));
}

DataFormat ParseDataFormat(std::string_view name, std::string_view where) {
  std::string lower = Lower(std::string(name));
  if (lower == "jsonl" || lower == "ndjson") return DataFormat::kJsonl;
  if (lower == "json") return DataFormat::kJson;
  if (lower == "csv") return DataFormat::kCsv;
  if (lower == "tsv") return DataFormat::kTsv;
  throw InputError(
      fmt::format("{}: expected a data format jsonl, json, csv or tsv, got '{}'", where, name));
}

namespace {

std::vector<fs::path> ResolveUnchecked(const fs::path& base_dir, const std::string& dataset_path,
                                       const std::string& split) {
  if (dataset_path.empty()) {
    if (split.empty()) {
      throw InputError("no data named: set dataset_path, or a split (test_split) naming a file");
    }
    return MatchFiles(base_dir, split);
  }
  if (split.empty()) return MatchFiles(base_dir, dataset_path);
  fs::path root = Resolve(base_dir, dataset_path);
  if (fs::is_directory(root)) return MatchFiles(root, split);
  if (fs::exists(root)) {
    throw InputError(
        fmt::format("dataset_path '{}' is a file, so split '{}' cannot be found in "
                    "it; make dataset_path a folder, or leave the split empty",
                    root.string(), split));
  }
  throw InputError(fmt::format("dataset_path '{}' does not exist (looked for '{}')", dataset_path,
                               root.string()));
}

}  // namespace

std::vector<fs::path> ResolveSplitFiles(const fs::path& base_dir, const std::string& dataset_path,
                                        const std::string& split) {
  try {
    return ResolveUnchecked(base_dir, dataset_path, split);
  } catch (const fs::filesystem_error& e) {  // e.g. a folder we may not read
    throw InputError(
        fmt::format("cannot look up data '{}': {}", e.path1().string(), e.code().message()));
  }
}

bool ReadDocuments(std::istream& in, const std::string& source, DataFormat format,
                   const DocumentVisitor& visit) {
  switch (format) {
    case DataFormat::kJsonl:
      return ReadJsonl(in, source, visit);
    case DataFormat::kJson:
      return ReadJson(in, source, visit);
    case DataFormat::kCsv:
      return ReadTable(in, source, kCsvDialect, visit);
    case DataFormat::kTsv:
      return ReadTable(in, source, kTsvDialect, visit);
  }
  return true;
}

void ForEachDocument(const fs::path& base_dir, const std::string& dataset_path,
                     const std::string& split, std::optional<DataFormat> format, size_t limit,
                     const DocumentVisitor& visit) {
  size_t count = 0;
  auto counted = [&](Document&& doc) {
    ++count;
    return visit(std::move(doc)) && (limit == 0 || count < limit);
  };
  for (const fs::path& file : ResolveSplitFiles(base_dir, dataset_path, split)) {
    if (limit > 0 && count >= limit) return;
    DataFormat file_format = format ? *format : GuessFormat(file);
    std::ifstream in = OpenData(file);
    if (!ReadDocuments(in, file.string(), file_format, counted)) return;
  }
}

std::vector<Document> LoadSplit(const fs::path& base_dir, const std::string& dataset_path,
                                const std::string& split, std::optional<DataFormat> format,
                                size_t limit) {
  std::vector<Document> docs;
  ForEachDocument(base_dir, dataset_path, split, format, limit, [&](Document&& doc) {
    docs.push_back(std::move(doc));
    return true;
  });
  return docs;
}

std::string HashSplitFiles(const fs::path& base_dir, const std::string& dataset_path,
                           const std::string& split) {
  // Hashes are chained over 1 MiB chunks so that big files need no more memory than that.
  constexpr size_t kChunk = 1 << 20;
  std::string chunk(kChunk, '\0');
  std::string total = ContentHash("kaieval dataset files v1");
  for (const fs::path& file : ResolveSplitFiles(base_dir, dataset_path, split)) {
    std::ifstream in = OpenData(file);
    std::string file_hash = ContentHash({"file", file.filename().string()});
    while (in) {
      in.read(chunk.data(), kChunk);
      auto got = static_cast<size_t>(in.gcount());
      if (got == 0) break;
      file_hash = ContentHash({file_hash, std::string_view(chunk.data(), got)});
    }
    if (in.bad()) throw InputError(fmt::format("{}: read error", file.string()));
    total = ContentHash({total, file_hash});
  }
  return total;
}

}  // namespace kaieval::bench

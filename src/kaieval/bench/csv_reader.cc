#include "kaieval/bench/csv_reader.h"

#include <fmt/format.h>

#include <unordered_map>
#include <utility>

#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"

namespace kaieval::bench {
namespace {

constexpr size_t kBufferSize = 64 * 1024;

std::string DescribeByte(int c) {
  if (c >= 0x20 && c < 0x7f) return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("byte 0x{:02x}", c);
}

}  // namespace

CsvRecordReader::CsvRecordReader(std::istream& in, std::string source, CsvDialect dialect)
    : in_(in), source_(std::move(source)), dialect_(dialect), buf_(new char[kBufferSize]) {}

bool CsvRecordReader::Fill() {
  if (!in_) return false;
  in_.read(buf_.get(), kBufferSize);
  len_ = static_cast<size_t>(in_.gcount());
  pos_ = 0;
  if (!started_) {
    started_ = true;
    if (len_ >= 3 && buf_[0] == '\xEF' && buf_[1] == '\xBB' && buf_[2] == '\xBF') pos_ = 3;
  }
  return pos_ < len_;
}

std::string CsvRecordReader::Where(size_t line, size_t field_index) const {
  std::string where = fmt::format("{}:{}: row {}", source_, line, record_);
  if (field_index < column_names_.size()) {
    where += fmt::format(", column '{}'", column_names_[field_index]);
  } else {
    where += fmt::format(", field {}", field_index + 1);
  }
  return where;
}

bool CsvRecordReader::SkipBlankLines() {
  for (;;) {
    int c = Peek();
    if (c == kEnd) return false;
    if (c == '\n') {
      Get();
    } else if (c == '\r') {
      Get();
      if (Peek() == '\n') Get();
    } else {
      return true;
    }
    ++line_;
  }
}

void CsvRecordReader::ReadQuoted(std::string& field) {
  size_t open_line = line_;
  Get();  // the opening quote
  for (;;) {
    int c = Get();
    if (c == kEnd) {
      throw InputError(
          fmt::format("{}:{}: row {}: quoted field opened here is never closed "
                      "(expected a closing '\"' before the end of the file)",
                      source_, open_line, record_));
    }
    if (c == '"') {
      if (Peek() != '"') break;
      Get();
    } else if (c == '\n' || (c == '\r' && Peek() != '\n')) {
      ++line_;
    }
    field.push_back(static_cast<char>(c));
  }
  int next = Peek();
  if (next != kEnd && next != dialect_.delimiter && next != '\n' && next != '\r') {
    throw InputError(fmt::format(
        "{}:{}: row {}: expected a delimiter or the end of the line after a closing quote, "
        "got {} (write a quote inside a quoted field as \"\")",
        source_, line_, record_, DescribeByte(next)));
  }
}

void CsvRecordReader::ReadUnquoted(std::string& field) {
  for (;;) {
    // Fast path: copy the run of ordinary bytes that is already in the buffer.
    size_t start = pos_;
    while (pos_ < len_) {
      char c = buf_[pos_];
      if (c == dialect_.delimiter || c == '\n' || c == '\r') break;
      ++pos_;
    }
    field.append(buf_.get() + start, pos_ - start);
    if (pos_ < len_ || !Fill()) return;
  }
}

bool CsvRecordReader::Next(std::vector<std::string>& fields) {
  fields.clear();
  if (!SkipBlankLines()) return false;
  record_line_ = line_;
  record_ = records_read_++;
  for (;;) {
    size_t field_line = line_;
    std::string field;
    if (dialect_.quoting && Peek() == '"') {
      ReadQuoted(field);
    } else {
      ReadUnquoted(field);
    }
    if (!IsValidUtf8(field)) {
      throw InputError(fmt::format("{}: invalid UTF-8 (save the file as UTF-8)",
                                   Where(field_line, fields.size())));
    }
    fields.push_back(std::move(field));
    int c = Get();
    if (c == dialect_.delimiter) continue;
    if (c == '\r' && Peek() == '\n') Get();
    if (c != kEnd) ++line_;
    return true;
  }
}

CsvTableReader::CsvTableReader(std::istream& in, std::string source, CsvDialect dialect)
    : records_(in, std::move(source), dialect) {
  if (!records_.Next(header_)) {
    throw InputError(
        fmt::format("{}: the file is empty; expected a header row with the column "
                    "names",
                    records_.source()));
  }
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i].empty()) {
      throw InputError(
          fmt::format("{}:{}: header column {} has an empty name; every column needs "
                      "a name",
                      records_.source(), records_.line(), i + 1));
    }
    auto [it, fresh] = seen.emplace(header_[i], i);
    if (!fresh) {
      throw InputError(
          fmt::format("{}:{}: header names column '{}' twice (columns {} and {}); "
                      "expected unique names",
                      records_.source(), records_.line(), header_[i], it->second + 1, i + 1));
    }
  }
  records_.set_column_names(header_);
}

bool CsvTableReader::Next(nlohmann::ordered_json& row) {
  if (!records_.Next(fields_)) return false;
  if (fields_.size() != header_.size()) {
    throw InputError(fmt::format("{}:{}: row {}: expected {} fields as in the header, got {}",
                                 records_.source(), records_.line(), records_.record(),
                                 header_.size(), fields_.size()));
  }
  row = nlohmann::ordered_json::object();
  for (size_t i = 0; i < header_.size(); ++i) row[header_[i]] = std::move(fields_[i]);
  return true;
}

}  // namespace kaieval::bench

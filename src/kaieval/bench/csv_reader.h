// CSV (RFC 4180) and TSV readers over a byte stream, a record at a time so memory stays flat.
// dataset.cc reads .csv/.tsv splits through CsvTableReader; the fuzzer feeds it bytes in memory.
#pragma once

#include <cstddef>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace kaieval::bench {

// How fields are separated and whether double quotes group them.
struct CsvDialect {
  char delimiter = ',';
  // CSV honours RFC 4180 quoting: "a ""b"", c" is one field, and may span lines.
  // TSV does not: as in the IANA text/tab-separated-values format a field runs to the next tab
  // or line break and quotes are ordinary characters. TSV benchmark dumps (KoBBQ) carry
  // Python-style lists such as ['a', 'b'] and stray quotes that must come through untouched.
  bool quoting = true;
};

inline constexpr CsvDialect kCsvDialect{',', true};
inline constexpr CsvDialect kTsvDialect{'\t', false};

// Splits a stream into records of fields. Line breaks (LF, CRLF, or a lone CR) end a record
// outside quotes; blank lines are skipped; a UTF-8 byte-order mark at the start is dropped;
// every field must be valid UTF-8. Records are numbered from 0 so that, with a header, the
// record number is the data row number (header = row 0, first data row = row 1).
class CsvRecordReader {
 public:
  // `source` names the input in error messages, e.g. "data/test.csv". `in` must outlive this.
  CsvRecordReader(std::istream& in, std::string source, CsvDialect dialect);

  // Reads the next record into `fields`; false at the end of the input.
  // Throws InputError naming source:line and the row for malformed input.
  bool Next(std::vector<std::string>& fields);

  // 1-based line on which the last record started, and its 0-based record number.
  size_t line() const { return record_line_; }
  size_t record() const { return record_; }

  // Column names used in error messages once the header is known.
  void set_column_names(std::vector<std::string> names) { column_names_ = std::move(names); }

  const std::string& source() const { return source_; }

 private:
  static constexpr int kEnd = -1;
  int Peek() { return pos_ < len_ || Fill() ? static_cast<unsigned char>(buf_[pos_]) : kEnd; }
  int Get() { return pos_ < len_ || Fill() ? static_cast<unsigned char>(buf_[pos_++]) : kEnd; }
  bool Fill();
  bool SkipBlankLines();  // false at end of input
  void ReadQuoted(std::string& field);
  void ReadUnquoted(std::string& field);
  std::string Where(size_t line, size_t field_index) const;

  std::istream& in_;
  std::string source_;
  CsvDialect dialect_;
  std::unique_ptr<char[]> buf_;
  size_t pos_ = 0;
  size_t len_ = 0;
  bool started_ = false;
  size_t line_ = 1;
  size_t record_line_ = 0;
  size_t record_ = 0;
  size_t records_read_ = 0;
  std::vector<std::string> column_names_;
};

// A header row, then data rows, each returned as a JSON object column -> string value.
// Empty or duplicate header names and rows whose field count differs from the header's are
// errors.
class CsvTableReader {
 public:
  // Reads and checks the header; throws InputError if the input is empty or the header is bad.
  CsvTableReader(std::istream& in, std::string source, CsvDialect dialect);

  const std::vector<std::string>& header() const { return header_; }

  // Reads the next data row into `row` (replacing it); false at the end of the input.
  bool Next(nlohmann::ordered_json& row);

  // 1-based data row number of the last row read (the header is row 0), and its first line.
  size_t row() const { return records_.record(); }
  size_t line() const { return records_.line(); }

 private:
  CsvRecordReader records_;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
};

}  // namespace kaieval::bench

#include "kaieval/bench/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::bench {
namespace {

using Rows = std::vector<std::vector<std::string>>;
using ::testing::HasSubstr;

Rows ReadAll(const std::string& bytes, CsvDialect dialect = kCsvDialect) {
  std::istringstream in(bytes);
  CsvRecordReader reader(in, "mem.csv", dialect);
  Rows rows;
  std::vector<std::string> fields;
  while (reader.Next(fields)) rows.push_back(fields);
  return rows;
}

std::string ErrorOf(const std::string& bytes, CsvDialect dialect = kCsvDialect) {
  try {
    std::istringstream in(bytes);
    CsvTableReader reader(in, "mem.csv", dialect);
    nlohmann::ordered_json row;
    while (reader.Next(row)) {
    }
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(CsvRecordReader, SplitsPlainFieldsAndLines) {
  EXPECT_EQ(ReadAll("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
}

TEST(CsvRecordReader, LastLineNeedsNoLineBreak) {
  EXPECT_EQ(ReadAll("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvRecordReader, EmptyFieldsAtEitherEndAreKept) {
  EXPECT_EQ(ReadAll(",x,\n"), (Rows{{"", "x", ""}}));
}

TEST(CsvRecordReader, QuotedFieldsHoldDelimitersQuotesAndLineBreaks) {
  EXPECT_EQ(ReadAll("\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\"\n"),
            (Rows{{"a,b", "say \"hi\"", "line1\nline2"}}));
}

TEST(CsvRecordReader, EmptyQuotedFieldIsEmptyString) {
  EXPECT_EQ(ReadAll("\"\",x\n"), (Rows{{"", "x"}}));
}

TEST(CsvRecordReader, CrlfEndsRecordsAndIsKeptInsideQuotes) {
  EXPECT_EQ(ReadAll("a,b\r\n\"x\r\ny\",2\r\n"), (Rows{{"a", "b"}, {"x\r\ny", "2"}}));
}

TEST(CsvRecordReader, LoneCarriageReturnEndsRecord) {
  EXPECT_EQ(ReadAll("a,b\r1,2\r"), (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvRecordReader, BlankLinesAreSkipped) {
  EXPECT_EQ(ReadAll("a\n\n1\r\n\r\n2\n\n"), (Rows{{"a"}, {"1"}, {"2"}}));
}

TEST(CsvRecordReader, ByteOrderMarkIsDropped) {
  EXPECT_EQ(ReadAll("\xEF\xBB\xBFid,q\n1,x\n"), (Rows{{"id", "q"}, {"1", "x"}}));
}

TEST(CsvRecordReader, QuoteInsideUnquotedFieldIsLiteral) {
  EXPECT_EQ(ReadAll("5\" tall,x\n"), (Rows{{"5\" tall", "x"}}));
}

TEST(CsvRecordReader, TracksLineOfEachRecordAcrossEmbeddedNewlines) {
  std::istringstream in("h1,h2\n\"a\nb\nc\",1\nx,2\n");
  CsvRecordReader reader(in, "mem.csv", kCsvDialect);
  std::vector<std::string> fields;
  ASSERT_TRUE(reader.Next(fields));
  EXPECT_EQ(reader.line(), 1u);
  ASSERT_TRUE(reader.Next(fields));
  EXPECT_EQ(reader.line(), 2u);
  EXPECT_EQ(reader.record(), 1u);
  ASSERT_TRUE(reader.Next(fields));
  EXPECT_EQ(reader.line(), 5u);
  EXPECT_EQ(reader.record(), 2u);
}

TEST(CsvRecordReader, FieldsLongerThanTheBufferComeThroughWhole) {
  std::string big(200000, 'x');
  std::string quoted(150000, 'y');
  EXPECT_EQ(ReadAll(big + ",\"" + quoted + "\"\n"), (Rows{{big, quoted}}));
}

TEST(CsvRecordReader, UnclosedQuoteNamesTheLineItOpened) {
  EXPECT_THAT(ErrorOf("a,b\n1,2\n3,\"never\nclosed\n"),
              HasSubstr("mem.csv:3: row 2: quoted field opened here is never closed"));
}

TEST(CsvRecordReader, TextAfterClosingQuoteIsAnError) {
  EXPECT_THAT(ErrorOf("a,b\n\"x\"y,2\n"),
              HasSubstr("mem.csv:2: row 1: expected a delimiter or the end of the line after a "
                        "closing quote, got 'y'"));
}

TEST(CsvRecordReader, InvalidUtf8NamesLineRowAndColumn) {
  EXPECT_THAT(ErrorOf("id,answer\n1,ok\n2,bad\xff\n"),
              HasSubstr("mem.csv:3: row 2, column 'answer': invalid UTF-8"));
}

TEST(CsvRecordReader, TsvKeepsQuotesAsOrdinaryCharacters) {
  EXPECT_EQ(ReadAll("\"a\"\t['x', \"y\"]\t5\" tall\n", kTsvDialect),
            (Rows{{"\"a\"", "['x', \"y\"]", "5\" tall"}}));
}

TEST(CsvRecordReader, TsvCommasAreData) {
  EXPECT_EQ(ReadAll("a,b\tc\r\n", kTsvDialect), (Rows{{"a,b", "c"}}));
}

TEST(CsvTableReader, RowsBecomeObjectsInHeaderOrder) {
  std::istringstream in("z,a,m\n1,2,3\n");
  CsvTableReader reader(in, "mem.csv", kCsvDialect);
  nlohmann::ordered_json row;
  ASSERT_TRUE(reader.Next(row));
  EXPECT_EQ(row.dump(), R"({"z":"1","a":"2","m":"3"})");
  EXPECT_EQ(reader.row(), 1u);
  EXPECT_FALSE(reader.Next(row));
}

TEST(CsvTableReader, HeaderOnlyGivesNoRows) { EXPECT_EQ(ErrorOf("a,b\n"), ""); }

TEST(CsvTableReader, EmptyInputIsAnError) {
  EXPECT_THAT(ErrorOf(""), HasSubstr("mem.csv: the file is empty; expected a header row"));
}

TEST(CsvTableReader, RaggedRowNamesLineAndRow) {
  EXPECT_THAT(ErrorOf("a,b,c\n1,2,3\n4,5\n"),
              HasSubstr("mem.csv:3: row 2: expected 3 fields as in the header, got 2"));
  EXPECT_THAT(ErrorOf("a,b\n1,2,3\n"), HasSubstr("row 1: expected 2 fields"));
}

TEST(CsvTableReader, DuplicateHeaderNameIsAnError) {
  EXPECT_THAT(ErrorOf("id,q,id\n1,2,3\n"),
              HasSubstr("mem.csv:1: header names column 'id' twice (columns 1 and 3)"));
}

TEST(CsvTableReader, EmptyHeaderNameIsAnError) {
  EXPECT_THAT(ErrorOf(",question\n0,x\n"),
              HasSubstr("mem.csv:1: header column 1 has an empty name"));
}

TEST(CsvTableReader, KoreanTextRoundTrips) {
  std::istringstream in("질문,답\n\"서울, 대한민국\",수도\n");
  CsvTableReader reader(in, "mem.csv", kCsvDialect);
  nlohmann::ordered_json row;
  ASSERT_TRUE(reader.Next(row));
  EXPECT_EQ(row["질문"], "서울, 대한민국");
  EXPECT_EQ(row["답"], "수도");
}

}  // namespace
}  // namespace kaieval::bench

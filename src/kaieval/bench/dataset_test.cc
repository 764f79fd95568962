#include "kaieval/bench/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "kaieval/common/error.h"

namespace kaieval::bench {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A fresh folder per test, removed afterwards.
class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("kaieval_dataset_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& bytes) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
  }

  std::vector<Document> Load(const std::string& dataset_path, const std::string& split,
                             std::optional<DataFormat> format = std::nullopt, size_t limit = 0) {
    return LoadSplit(dir_, dataset_path, split, format, limit);
  }

  std::string ErrorOf(const std::string& dataset_path, const std::string& split,
                      std::optional<DataFormat> format = std::nullopt) {
    try {
      Load(dataset_path, split, format);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }

  std::vector<std::string> Names(const std::string& dataset_path, const std::string& split) {
    std::vector<std::string> names;
    for (const auto& p : ResolveSplitFiles(dir_, dataset_path, split)) {
      names.push_back(p.lexically_relative(dir_).string());
    }
    return names;
  }

  fs::path dir_;
};

std::vector<std::string> Values(const std::vector<Document>& docs, const std::string& column) {
  std::vector<std::string> values;
  for (const auto& d : docs) values.push_back(d.fields.at(column).dump());
  return values;
}

TEST(DataFormat, GuessedFromExtension) {
  EXPECT_EQ(GuessFormat("a/test.jsonl"), DataFormat::kJsonl);
  EXPECT_EQ(GuessFormat("test.NDJSON"), DataFormat::kJsonl);
  EXPECT_EQ(GuessFormat("test.json"), DataFormat::kJson);
  EXPECT_EQ(GuessFormat("test.csv"), DataFormat::kCsv);
  EXPECT_EQ(GuessFormat("test.tsv"), DataFormat::kTsv);
  EXPECT_THROW(GuessFormat("test.parquet"), InputError);
}

TEST(DataFormat, UnknownExtensionErrorNamesTheFile) {
  try {
    GuessFormat("data/test.txt");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("data file 'data/test.txt'"));
    EXPECT_THAT(e.what(), HasSubstr("dataset_format"));
  }
}

TEST(DataFormat, ParsedFromNames) {
  EXPECT_EQ(ParseDataFormat("jsonl", "t.yaml"), DataFormat::kJsonl);
  EXPECT_EQ(ParseDataFormat("CSV", "t.yaml"), DataFormat::kCsv);
  EXPECT_EQ(DataFormatName(ParseDataFormat("tsv", "t.yaml")), "tsv");
  try {
    ParseDataFormat("parquet", "t.yaml:3: dataset_format");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "t.yaml:3: dataset_format: expected a data format jsonl, json, csv or tsv, got "
                 "'parquet'");
  }
}

TEST_F(DatasetTest, JsonlReadsObjectsWithLineOrigins) {
  Write("test.jsonl", "{\"q\": \"a\", \"n\": 1}\n\n  \n{\"q\": \"b\", \"n\": 2}\n");
  auto docs = Load("", "test.jsonl");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].fields.dump(), R"({"q":"a","n":1})");
  EXPECT_EQ(docs[0].origin, (dir_ / "test.jsonl").string() + ":1");
  EXPECT_EQ(docs[1].origin, (dir_ / "test.jsonl").string() + ":4");
}

TEST_F(DatasetTest, JsonlKeepsColumnOrder) {
  Write("t.jsonl", "{\"z\": 1, \"a\": 2, \"m\": 3}\n");
  EXPECT_EQ(Load("", "t.jsonl")[0].fields.dump(), R"({"z":1,"a":2,"m":3})");
}

TEST_F(DatasetTest, JsonlHandlesBomCrlfAndLongLines) {
  std::string long_text(100000, 'x');
  Write("t.jsonl", "\xEF\xBB\xBF{\"a\": 1}\r\n{\"a\": \"" + long_text + "\"}\r\n");
  auto docs = Load("", "t.jsonl");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].fields["a"], 1);
  EXPECT_EQ(docs[1].fields["a"], long_text);
}

TEST_F(DatasetTest, JsonlNonObjectLineIsAnErrorNamingTheLine) {
  Write("t.jsonl", "{\"a\": 1}\n[1, 2]\n");
  EXPECT_THAT(ErrorOf("", "t.jsonl"), HasSubstr("t.jsonl:2: expected a JSON object, got array"));
}

TEST_F(DatasetTest, JsonlBadJsonIsAnErrorNamingTheLine) {
  Write("t.jsonl", "{\"a\": 1}\n{\"a\": \n");
  EXPECT_THAT(ErrorOf("", "t.jsonl"), HasSubstr("t.jsonl:2: invalid JSON"));
}

TEST_F(DatasetTest, JsonlInvalidUtf8NamesTheLine) {
  Write("t.jsonl", "{\"a\": \"ok\"}\n{\"a\": \"\xC3\x28\"}\n");
  EXPECT_THAT(ErrorOf("", "t.jsonl"), HasSubstr("t.jsonl:2: invalid UTF-8"));
}

TEST_F(DatasetTest, JsonTopLevelArray) {
  Write("t.json", "[{\"a\": 1}, {\"a\": 2}]");
  auto docs = Load("", "t.json");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1].origin, (dir_ / "t.json").string() + "[1]");
}

TEST_F(DatasetTest, JsonAcceptsByteOrderMark) {
  Write("t.json", "\xEF\xBB\xBF[{\"a\": \"가\"}]");
  EXPECT_EQ(Load("", "t.json")[0].fields["a"], "가");
}

TEST_F(DatasetTest, JsonObjectWithOneArrayOfObjectsMember) {
  Write("t.json", "{\"version\": \"1\", \"data\": [{\"a\": 1}], \"tags\": [\"x\"]}");
  auto docs = Load("", "t.json");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].fields["a"], 1);
}

TEST_F(DatasetTest, JsonOtherShapesAreErrors) {
  Write("two.json", "{\"train\": [{\"a\": 1}], \"test\": [{\"a\": 2}]}");
  EXPECT_THAT(ErrorOf("", "two.json"), HasSubstr("found 2 such members ('train', 'test')"));
  Write("none.json", "{\"a\": 1}");
  EXPECT_THAT(ErrorOf("", "none.json"), HasSubstr("found 0 such members"));
  Write("scalar.json", "42");
  EXPECT_THAT(ErrorOf("", "scalar.json"), HasSubstr("got number"));
  Write("mixed.json", "[{\"a\": 1}, 3]");
  EXPECT_THAT(ErrorOf("", "mixed.json"), HasSubstr("mixed.json[1]: expected a JSON object"));
  Write("lines.json", "{\"a\": 1}\n{\"a\": 2}\n");
  EXPECT_THAT(ErrorOf("", "lines.json"), HasSubstr("use the jsonl format"));
}

TEST_F(DatasetTest, JsonInvalidUtf8NamesTheLine) {
  Write("t.json", "[\n{\"a\": \"ok\"},\n{\"a\": \"\xFF\"}\n]");
  EXPECT_THAT(ErrorOf("", "t.json"), HasSubstr("t.json:3: invalid UTF-8"));
}

TEST_F(DatasetTest, CsvRowsAreStringObjectsWithRowOrigins) {
  Write("t.csv",
        "id,question,answer\r\n1,\"Is 2,3 a list?\",\"He said \"\"yes\"\"\"\r\n"
        "2,\"two\nlines\",4\r\n");
  auto docs = Load("", "t.csv");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].fields.dump(),
            R"({"id":"1","question":"Is 2,3 a list?","answer":"He said \"yes\""})");
  EXPECT_EQ(docs[1].fields["question"], "two\nlines");
  EXPECT_EQ(docs[1].origin, (dir_ / "t.csv").string() + ":row 2");
}

TEST_F(DatasetTest, CsvRaggedRowIsAnError) {
  Write("t.csv", "a,b\n1,2\n3\n");
  EXPECT_THAT(ErrorOf("", "t.csv"), HasSubstr("t.csv:3: row 2: expected 2 fields"));
}

TEST_F(DatasetTest, CsvDuplicateHeaderIsAnError) {
  Write("t.csv", "a,a\n1,2\n");
  EXPECT_THAT(ErrorOf("", "t.csv"), HasSubstr("header names column 'a' twice"));
}

TEST_F(DatasetTest, CsvInvalidUtf8NamesTheRow) {
  Write("t.csv", "a,b\n1,\xE2\x82\n");
  EXPECT_THAT(ErrorOf("", "t.csv"), HasSubstr("t.csv:2: row 1, column 'b': invalid UTF-8"));
}

TEST_F(DatasetTest, TsvLoadsPythonListsAndQuotesVerbatim) {
  Write("t.tsv", "id\tchoices\tnote\n1\t['가', 'b, c', \"d\"]\t\"quoted\"\n");
  auto docs = Load("", "t.tsv");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].fields["choices"], "['가', 'b, c', \"d\"]");
  EXPECT_EQ(docs[0].fields["note"], "\"quoted\"");
}

TEST_F(DatasetTest, FormatOverridesTheExtension) {
  Write("data.txt", "x\ty\n1\t2\n");
  EXPECT_EQ(Load("", "data.txt", DataFormat::kTsv)[0].fields["y"], "2");
  EXPECT_THAT(ErrorOf("", "data.txt"), HasSubstr("cannot tell its format"));
}

TEST_F(DatasetTest, KoreanTextRoundTripsThroughEveryFormat) {
  const std::string text = "한국어 질문: 서울은 어디입니까?";
  Write("k.jsonl", "{\"q\": \"" + text + "\"}\n");
  Write("k.json", "[{\"q\": \"" + text + "\"}]");
  Write("k.csv", "q\n\"" + text + "\"\n");
  Write("k.tsv", "q\n" + text + "\n");
  for (const char* name : {"k.jsonl", "k.json", "k.csv", "k.tsv"}) {
    EXPECT_EQ(Load("", name)[0].fields["q"], text) << name;
  }
}

TEST_F(DatasetTest, DirectoryReadsItsDataFilesSorted) {
  Write("d/b.jsonl", "{\"n\": 2}\n");
  Write("d/a.jsonl", "{\"n\": 1}\n");
  Write("d/c.csv", "n\n3\n");
  Write("d/readme.md", "not data");
  Write("d/.hidden.jsonl", "{\"n\": 0}\n");
  EXPECT_THAT(Values(Load("", "d"), "n"), ElementsAre("1", "2", "\"3\""));
  EXPECT_THAT(Values(Load("d", ""), "n"), ElementsAre("1", "2", "\"3\""));
}

TEST_F(DatasetTest, GlobMatchesTheLastComponentSorted) {
  Write("data/test-00002.jsonl", "{\"n\": 2}\n");
  Write("data/test-00001.jsonl", "{\"n\": 1}\n");
  Write("data/train-00001.jsonl", "{\"n\": 9}\n");
  Write("data/test-a.csv", "n\n3\n");
  EXPECT_THAT(Names("data", "test-*.jsonl"),
              ElementsAre("data/test-00001.jsonl", "data/test-00002.jsonl"));
  EXPECT_THAT(Names("", "data/test-0000?.*"),
              ElementsAre("data/test-00001.jsonl", "data/test-00002.jsonl"));
  EXPECT_THAT(Values(Load("data", "test-*"), "n"), ElementsAre("1", "2", "\"3\""));
}

TEST_F(DatasetTest, GlobWithNoMatchNamesPatternAndFolder) {
  Write("data/train.jsonl", "{}\n");
  std::string error = ErrorOf("data", "test-*.jsonl");
  EXPECT_THAT(error, HasSubstr("no files match 'test-*.jsonl' in folder"));
  EXPECT_THAT(error, HasSubstr((dir_ / "data").string()));
}

TEST_F(DatasetTest, WildcardOutsideTheFileNameIsAnError) {
  EXPECT_THAT(ErrorOf("", "da*/test.jsonl"), HasSubstr("only appear in the last path component"));
}

TEST_F(DatasetTest, SplitIsRelativeToDatasetPathFolder) {
  Write("mydata/test.jsonl", "{\"n\": 1}\n");
  Write("mydata/train.csv", "n\n5\n");
  EXPECT_THAT(Names("mydata", "test.jsonl"), ElementsAre("mydata/test.jsonl"));
  EXPECT_THAT(Names("mydata", "test"), ElementsAre("mydata/test.jsonl"));
  EXPECT_THAT(Names("mydata", "train"), ElementsAre("mydata/train.csv"));
}

TEST_F(DatasetTest, DatasetPathFileWithoutSplitLoadsThatFile) {
  Write("all.jsonl", "{\"n\": 1}\n");
  EXPECT_EQ(Load("all.jsonl", "").size(), 1u);
  EXPECT_THAT(ErrorOf("all.jsonl", "test"), HasSubstr("is a file, so split 'test'"));
}

TEST_F(DatasetTest, AbsolutePathsIgnoreBaseDir) {
  Write("x/t.jsonl", "{\"n\": 1}\n");
  EXPECT_EQ(LoadSplit("/nonexistent", "", (dir_ / "x/t.jsonl").string(), std::nullopt).size(), 1u);
}

TEST_F(DatasetTest, MissingDataIsAnErrorNamingWhatWasLookedFor) {
  Write("d/other.jsonl", "{}\n");
  EXPECT_THAT(ErrorOf("d", "test"), HasSubstr("no file or folder 'test' in folder"));
  EXPECT_THAT(ErrorOf("nope", "test"), HasSubstr("dataset_path 'nope' does not exist"));
  EXPECT_THAT(ErrorOf("", ""), HasSubstr("no data named"));
  Write("empty/readme.md", "x");
  EXPECT_THAT(ErrorOf("empty", ""), HasSubstr("holds no data files"));
}

TEST_F(DatasetTest, AmbiguousBareSplitNameIsAnError) {
  Write("d/test.jsonl", "{}\n");
  Write("d/test.csv", "a\n1\n");
  EXPECT_THAT(ErrorOf("d", "test"), HasSubstr("'test' in folder"));
  EXPECT_THAT(ErrorOf("d", "test"), HasSubstr("ambiguous"));
}

TEST_F(DatasetTest, LimitStopsAcrossFiles) {
  Write("d/a.jsonl", "{\"n\": 1}\n{\"n\": 2}\n");
  Write("d/b.jsonl", "{\"n\": 3}\n{\"n\": 4}\n");
  EXPECT_THAT(Values(Load("d", "", std::nullopt, 3), "n"), ElementsAre("1", "2", "3"));
  EXPECT_EQ(Load("d", "", std::nullopt, 1).size(), 1u);
  EXPECT_EQ(Load("d", "", std::nullopt, 0).size(), 4u);
}

TEST_F(DatasetTest, LimitStopsBeforeLaterBadLines) {
  Write("t.jsonl", "{\"n\": 1}\nnot json\n");
  EXPECT_EQ(Load("", "t.jsonl", std::nullopt, 1).size(), 1u);
}

TEST_F(DatasetTest, ForEachDocumentStopsWhenVisitReturnsFalse) {
  Write("t.jsonl", "{\"n\": 1}\n{\"n\": 2}\n{\"n\": 3}\n");
  int seen = 0;
  ForEachDocument(dir_, "", "t.jsonl", std::nullopt, 0, [&](Document&& doc) {
    ++seen;
    return doc.fields["n"] != 2;
  });
  EXPECT_EQ(seen, 2);
}

TEST_F(DatasetTest, ReadDocumentsWorksOnBytesInMemory) {
  std::istringstream in("a\tb\n1\t2\n");
  std::vector<Document> docs;
  ReadDocuments(in, "mem", DataFormat::kTsv, [&](Document&& d) {
    docs.push_back(std::move(d));
    return true;
  });
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].origin, "mem:row 1");
}

TEST_F(DatasetTest, HashChangesWithContentAndNameButNotFolder) {
  Write("a/test.jsonl", "{\"n\": 1}\n");
  Write("b/test.jsonl", "{\"n\": 1}\n");
  Write("c/other.jsonl", "{\"n\": 1}\n");
  std::string a = HashSplitFiles(dir_, "a", "test");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a, HashSplitFiles(dir_, "b", "test.jsonl"));
  EXPECT_NE(a, HashSplitFiles(dir_, "c", ""));
  Write("b/test.jsonl", "{\"n\": 2}\n");
  EXPECT_NE(a, HashSplitFiles(dir_, "b", "test"));
}

}  // namespace
}  // namespace kaieval::bench

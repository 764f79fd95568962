// The snapshot reader: bad lines reported with their number and skipped, an unreadable
// snapshot refused, missing fields noted, the content hash; and the crawl's header parsing.
#include "kaieval/lineage/snapshot_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "kaieval/common/testing.h"
#include "kaieval/lineage/hub_crawler.h"
#include "kaieval/lineage/lineage_graph.h"

namespace kaieval::lineage {
namespace {

using kaieval::testing::InputErrorMessage;
using kaieval::testing::ScratchDir;

std::vector<std::string> ReadIds(const std::string& text, SnapshotInfo& info) {
  std::istringstream in(text);
  std::vector<std::string> ids;
  info.path = "s.jsonl";
  ReadSnapshot(
      in, [&](const ModelRecord& r, size_t) { ids.push_back(r.id); }, info);
  return ids;
}

TEST(SnapshotReader, BadLinesAreReportedWithTheirNumberAndSkipped) {
  const std::string text =
      "\xEF\xBB\xBF{\"id\":\"a/one\",\"createdAt\":\"2025-10-01T00:00:00Z\",\"downloads\":1,"
      "\"siblings\":[]}\n"
      "{\"id\": \"a/two\"\n"                                                // 2: malformed JSON
      "\n"                                                                  // 3: blank
      "{\"author\":\"x\"}\n"                                                // 4: no id
      "{\"id\":\"bad id\"}\n"                                               // 5: illegal characters
      "{\"id\":\"a/three\",\"cardData\":{\"base_model\":[\"a/one\",7]}}\n"  // 6: non-string base
      "{\"id\":\"a/four\"}";                                                // 7: no final newline
  SnapshotInfo info;
  const auto ids = ReadIds(text, info);
  EXPECT_EQ(ids, (std::vector<std::string>{"a/one", "a/three", "a/four"}));
  EXPECT_EQ(info.lines, 6u);
  EXPECT_EQ(info.records, 3u);
  EXPECT_EQ(info.skipped, 3u);
  ASSERT_EQ(info.problems.size(), 4u);
  EXPECT_EQ(info.problems[0].line, 2u);
  EXPECT_EQ(info.problems[0].message.rfind("not valid JSON", 0), 0u);
  EXPECT_EQ(info.problems[1].line, 4u);
  EXPECT_EQ(info.problems[1].message, "id: missing or not a string");
  EXPECT_EQ(info.problems[2].line, 5u);
  EXPECT_EQ(info.problems[2].message, "id: 'bad id' is not a model id");
  EXPECT_EQ(info.problems[3].line, 6u);
  EXPECT_EQ(info.problems[3].message, "cardData.base_model[1]: expected a string, got a number");
  ASSERT_FALSE(info.missing.empty());
  EXPECT_EQ(info.missing[0].field, "createdAt");
  EXPECT_EQ(info.missing[0].records, 2u);
  EXPECT_EQ(info.missing[0].first_line, 6u);
  EXPECT_EQ(IsoDay(info.latest_day), "2025-10-01");

  // A file is parsed on a second thread: the same records and problems, in the same order.
  ScratchDir dir("lineage_reader");
  std::ofstream(dir.File("s.jsonl")) << text;
  SnapshotInfo from_file;
  std::vector<std::string> file_ids;
  ReadSnapshotFile(
      dir.File("s.jsonl"), [&](const ModelRecord& r, size_t) { file_ids.push_back(r.id); },
      from_file);
  EXPECT_EQ(file_ids, ids);
  ASSERT_EQ(from_file.problems.size(), info.problems.size());
  for (size_t i = 0; i < info.problems.size(); ++i) {
    EXPECT_EQ(from_file.problems[i].line, info.problems[i].line);
    EXPECT_EQ(from_file.problems[i].message, info.problems[i].message);
  }
}

TEST(SnapshotReader, UnreadableSnapshotIsAnInputError) {
  SnapshotInfo info;
  EXPECT_EQ(InputErrorMessage([&] { ReadIds("not json\n[1]\n", info); }),
            "s.jsonl: no usable model record (line 1: not valid JSON (Problem while parsing an "
            "atom starting with the letter 'n'))");
  SnapshotInfo empty;
  EXPECT_EQ(InputErrorMessage([&] { ReadIds("\n\n", empty); }), "s.jsonl: no model records");
  EXPECT_EQ(InputErrorMessage([] { LoadLineageGraph("/nonexistent/snapshot.jsonl"); }),
            "/nonexistent/snapshot.jsonl: cannot open the snapshot");
}

TEST(SnapshotReader, LongLinesAcrossChunksAndContentHash) {
  ScratchDir dir("lineage_reader");
  const std::string path = dir.File("s.jsonl");
  // Lines of 1.5 MB and one of 6 MB, longer than the 4 MiB read window.
  const std::string note(1500000, 'x'), long_note(6000000, 'y');
  {
    std::ofstream out(path);
    for (int i = 0; i < 30; ++i) {
      out << "{\"id\":\"u/m" << i << "\",\"cardData\":{\"note\":\"" << (i == 17 ? long_note : note)
          << "\",\"base_model\":\"u/m0\"}}\n";
    }
  }
  const LoadedGraph a = LoadLineageGraph(path);
  EXPECT_EQ(a.snapshot.records, 30u);
  EXPECT_EQ(a.graph.children(*a.graph.Find("U/M0")).size(), 29u);
  EXPECT_EQ(a.snapshot.content_hash.size(), 32u);
  EXPECT_EQ(LoadLineageGraph(path).snapshot.content_hash, a.snapshot.content_hash);
  { std::ofstream(path, std::ios::app) << "{\"id\":\"u/extra\"}\n"; }
  EXPECT_NE(LoadLineageGraph(path).snapshot.content_hash, a.snapshot.content_hash);
}

TEST(LineageGraph, DuplicateRecordKeepsTheFirst) {
  ScratchDir dir("lineage_reader");
  const std::string path = dir.File("s.jsonl");
  std::ofstream(path) << "{\"id\":\"u/m\",\"downloads\":5}\n{\"id\":\"U/M\",\"downloads\":9}\n";
  const LoadedGraph g = LoadLineageGraph(path);
  EXPECT_EQ(g.graph.size(), 1u);
  EXPECT_EQ(g.graph.node(0).downloads, 5u);
  ASSERT_EQ(g.snapshot.problems.size(), 1u);
  EXPECT_EQ(g.snapshot.problems[0].line, 2u);
}

TEST(HubCrawler, NextPageFromLinkHeader) {
  EXPECT_EQ(NextPageUrl("<https://hf.co/api/models?cursor=abc&limit=2>; rel=\"next\""),
            "https://hf.co/api/models?cursor=abc&limit=2");
  EXPECT_EQ(NextPageUrl("<https://a/prev>; rel=\"prev\", <https://a/next>; rel=\"next\""),
            "https://a/next");
  EXPECT_FALSE(NextPageUrl("<https://a/prev>; rel=\"prev\""));
  EXPECT_FALSE(NextPageUrl(""));
  EXPECT_FALSE(NextPageUrl("<unterminated; rel=\"next\""));
}

TEST(HubCrawler, RateLimitWait) {
  EXPECT_EQ(RateLimitWaitSeconds("7", "", ""), 7.0);
  EXPECT_EQ(RateLimitWaitSeconds("", "\"api\";r=0;t=42", ""), 42.0);
  EXPECT_EQ(RateLimitWaitSeconds("", "t=3", ""), 3.0);
  EXPECT_EQ(RateLimitWaitSeconds("", "", "12"), 12.0);
  EXPECT_FALSE(RateLimitWaitSeconds("Wed, 21 Oct 2015 07:28:00 GMT", "\"api\";r=5", ""));
  EXPECT_FALSE(RateLimitWaitSeconds("-3", "", ""));
}

}  // namespace
}  // namespace kaieval::lineage

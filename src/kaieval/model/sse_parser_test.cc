#include "kaieval/model/sse_parser.h"

#include <gtest/gtest.h>

#include <vector>

namespace kaieval::model {
namespace {

std::vector<std::string> FeedInPieces(std::string_view stream, size_t piece) {
  SseParser parser;
  std::vector<std::string> out;
  for (size_t i = 0; i < stream.size(); i += piece) {
    parser.Feed(stream.substr(i, piece), [&](std::string_view d) { out.emplace_back(d); });
  }
  return out;
}

TEST(SseParser, DeliversDataPayloadsAndSkipsDone) {
  std::string stream = "data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n";
  EXPECT_EQ(FeedInPieces(stream, stream.size()),
            (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
}

TEST(SseParser, SameResultWhateverTheChunking) {
  std::string stream =
      ": keep-alive comment\r\nevent: message\r\ndata: 첫째\r\ndata:둘째\r\nid: 7\r\n\r\n"
      "data: 셋\n\n";
  auto whole = FeedInPieces(stream, stream.size());
  EXPECT_EQ(whole, (std::vector<std::string>{"첫째\n둘째", "셋"}));
  for (size_t piece = 1; piece < 8; ++piece) EXPECT_EQ(FeedInPieces(stream, piece), whole);
}

TEST(SseParser, EventWithoutBlankLineIsNotDelivered) {
  EXPECT_TRUE(FeedInPieces("data: unfinished\n", 4).empty());
}

TEST(SseParser, ResetForgetsAPartialEvent) {
  SseParser parser;
  std::vector<std::string> out;
  auto sink = [&](std::string_view d) { out.emplace_back(d); };
  parser.Feed("data: half", sink);
  parser.Reset();
  parser.Feed("data: whole\n\n", sink);
  EXPECT_EQ(out, (std::vector<std::string>{"whole"}));
}

}  // namespace
}  // namespace kaieval::model

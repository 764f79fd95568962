#include "kaieval/arena/battle_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kaieval/common/error.h"
#include "kaieval/common/testing.h"

namespace kaieval::arena {
namespace {

using Outcome = stats::Battle::Outcome;
using kaieval::testing::InputErrorMessage;

BattleFile Read(const std::string& text, BattleFileOptions options = {},
                const std::string& name = "votes.jsonl") {
  std::istringstream in(text);
  return ReadBattles(in, name, options);
}

BattleFile ReadJson(const std::string& text, BattleFileOptions options = {}) {
  options.format = BattleFormat::kFastChat;
  return Read(text, options, "battles.json");
}

std::string Line(const std::string& a, const std::string& b, const std::string& winner,
                 const std::string& extra = "") {
  return R"({"model_a": ")" + a + R"(", "model_b": ")" + b + R"(", "winner": ")" + winner + "\"" +
         extra + "}";
}

const std::vector<std::string> kBattles = {
    Line("zeta", "alpha", "model_a", R"(, "tstamp": 1.5, "judge": "u1", "anony": true)"),
    Line("alpha", "zeta", "model_b"),  // the same as the line above, oriented the other way
    Line("alpha", "mid", "tie"),
    Line("mid", "alpha", "tie (bothbad)", R"(, "anony": false)"),
    Line("mid", "zeta", "model_b", R"(, "extra": {"nested": [1, 2, "]"]})"),
};

std::string Jsonl() {
  std::string text;
  for (const std::string& line : kBattles) text += line + "\n";
  return text;
}

std::string JsonArray() {
  std::string text = "[\n";
  for (size_t i = 0; i < kBattles.size(); ++i) {
    text += "  " + kBattles[i] + (i + 1 < kBattles.size() ? ",\n" : "\n");
  }
  return text + "]\n";
}

void ExpectCell(const stats::BattleCell& c, uint32_t a, uint32_t b, Outcome o, uint64_t count) {
  EXPECT_EQ(c.model_a, a);
  EXPECT_EQ(c.model_b, b);
  EXPECT_EQ(c.outcome, o);
  EXPECT_EQ(c.count, count);
}

TEST(BattleFile, JsonlIsCountedIntoOrientedCellsWithModelsSortedByName) {
  const BattleFile f = Read(Jsonl());
  EXPECT_EQ(f.models, (std::vector<std::string>{"alpha", "mid", "zeta"}));
  EXPECT_EQ(f.records, 5u);
  EXPECT_EQ(f.counted, 5u);
  // zeta beats alpha twice (as (alpha, zeta, B wins)); alpha-mid one tie and one both-bad;
  // zeta beats mid once.
  ASSERT_EQ(f.cells.size(), 4u);
  ExpectCell(f.cells[0], 0, 1, Outcome::kTie, 1);
  ExpectCell(f.cells[1], 0, 1, Outcome::kBothBad, 1);
  ExpectCell(f.cells[2], 0, 2, Outcome::kWinB, 2);
  ExpectCell(f.cells[3], 1, 2, Outcome::kWinB, 1);
  EXPECT_TRUE(f.battles.empty());  // not asked for
}

TEST(BattleFile, FastChatArrayReadsTheSameAsJsonl) {
  const BattleFile jsonl = Read(Jsonl());
  const BattleFile json = ReadJson(JsonArray());
  EXPECT_EQ(json.models, jsonl.models);
  ASSERT_EQ(json.cells.size(), jsonl.cells.size());
  for (size_t i = 0; i < json.cells.size(); ++i) {
    ExpectCell(json.cells[i], jsonl.cells[i].model_a, jsonl.cells[i].model_b,
               jsonl.cells[i].outcome, jsonl.cells[i].count);
  }
  EXPECT_EQ(ReadJson("[]").records, 0u);
  EXPECT_EQ(ReadJson(" [ " + kBattles[0] + " ] ").records, 1u);
}

TEST(BattleFile, BlankLinesCrlfAndByteOrderMarkAreFine) {
  const BattleFile f = Read("\n" + kBattles[0] + "\r\n\r\n  \n" + kBattles[1]);
  EXPECT_EQ(f.records, 2u);
  EXPECT_EQ(f.cells.size(), 1u);
  EXPECT_EQ(Read("\xEF\xBB\xBF" + kBattles[0]).records, 1u);
  EXPECT_EQ(ReadJson("\xEF\xBB\xBF[" + kBattles[0] + "]").records, 1u);
}

TEST(BattleFile, KeepsBattlesInFileOrderRenumberedByName) {
  const BattleFile f = Read(Jsonl(), BattleFileOptions{.keep_battles = true});
  ASSERT_EQ(f.battles.size(), 5u);
  EXPECT_EQ(f.battles[0].model_a, 2u);  // zeta
  EXPECT_EQ(f.battles[0].model_b, 0u);  // alpha
  EXPECT_EQ(f.battles[0].outcome, Outcome::kWinA);
  EXPECT_EQ(f.battles[3].outcome, Outcome::kBothBad);
}

TEST(BattleFile, FiltersDropTiesNonAnonymousAndExcludedVotes) {
  const BattleFile no_ties = Read(Jsonl(), BattleFileOptions{.drop_ties = true});
  EXPECT_EQ(no_ties.counted, 3u);
  EXPECT_EQ(no_ties.dropped_ties, 2u);
  EXPECT_EQ(no_ties.records, 5u);

  const std::string anony = Line("a", "b", "model_a", R"(, "anony": true)") + "\n" +
                            Line("a", "c", "model_b", R"(, "anony": false)") + "\n";
  const BattleFile only = Read(anony, BattleFileOptions{.anony_only = true});
  EXPECT_EQ(only.counted, 1u);
  EXPECT_EQ(only.dropped_not_anony, 1u);
  EXPECT_EQ(only.models, (std::vector<std::string>{"a", "b"}));  // c only in a dropped battle
  EXPECT_EQ(InputErrorMessage([&] { Read(Jsonl(), BattleFileOptions{.anony_only = true}); }),
            "votes.jsonl:2: anony: missing; --anony-only needs it on every battle");

  const std::string excluded = Line("a", "b", "model_a", R"(, "vote_id": 3, "excluded": true)") +
                               "\n" + Line("a", "b", "model_b", R"(, "excluded": false)");
  const BattleFile counted = Read(excluded);
  EXPECT_EQ(counted.counted, 1u);
  EXPECT_EQ(counted.dropped_excluded, 1u);
  ExpectCell(counted.cells[0], 0, 1, Outcome::kWinB, 1);
}

TEST(BattleFile, StyleCountsComeFromConvMetadataNumbersOrSummedObjects) {
  const std::string meta =
      R"(, "conv_metadata": {"sum_assistant_a_tokens": 120, "sum_assistant_b_tokens": 80.5,)"
      R"( "header_count_a": {"h1": 1, "h2": 2, "h3": 0}, "header_count_b": 0,)"
      R"( "list_count_a": {"ordered": 3, "unordered": 4}, "list_count_b": 1,)"
      R"( "bold_count_a": {"**": 5, "__": 1}, "bold_count_b": 2, "turns": 1})";
  const BattleFile f = Read(Line("x", "y", "model_a", meta), BattleFileOptions{.style = true});
  ASSERT_EQ(f.styles.size(), 1u);
  ASSERT_EQ(f.battles.size(), 1u);
  EXPECT_EQ(f.styles[0].a.length, 120);
  EXPECT_EQ(f.styles[0].a.headers, 3);
  EXPECT_EQ(f.styles[0].a.lists, 7);
  EXPECT_EQ(f.styles[0].a.bold, 6);
  EXPECT_EQ(f.styles[0].b.length, 80.5);
  EXPECT_EQ(f.styles[0].b.bold, 2);

  EXPECT_EQ(InputErrorMessage([&] { Read(Jsonl(), BattleFileOptions{.style = true}); }),
            "votes.jsonl:1: conv_metadata: missing; style control needs the style counts of "
            "every battle");
  const std::string missing_field = Line("x", "y", "tie", R"(, "conv_metadata": {})");
  EXPECT_NE(InputErrorMessage([&] {
              Read(missing_field, BattleFileOptions{.style = true});
            }).find("votes.jsonl:1: conv_metadata.sum_assistant_a_tokens: missing"),
            std::string::npos);
  const std::string negative =
      Line("x", "y", "tie", R"(, "conv_metadata": {"sum_assistant_a_tokens": -1})");
  EXPECT_NE(InputErrorMessage([&] {
              Read(negative, BattleFileOptions{.style = true});
            }).find("expected a count >= 0"),
            std::string::npos);
  // Without style control the metadata is not looked at.
  EXPECT_EQ(Read(missing_field).counted, 1u);
}

TEST(BattleFile, BadRecordsNameFileLineOrElementAndField) {
  const std::string good = kBattles[0] + "\n";
  EXPECT_EQ(InputErrorMessage([&] { Read(good + Line("a", "b", "A") + "\n"); }),
            "votes.jsonl:2: winner: 'A'; expected model_a, model_b, tie or tie (bothbad)");
  EXPECT_EQ(InputErrorMessage([&] { Read(good + "\n" + R"({"model_a": "a", "winner": "tie"})"); }),
            "votes.jsonl:3: model_b: missing");
  EXPECT_EQ(InputErrorMessage([&] { Read(Line("a", "a", "tie")); }),
            "votes.jsonl:1: model_b: the same model as model_a ('a'); expected two");
  EXPECT_EQ(InputErrorMessage([&] { Read(R"({"model_a": 3, "model_b": "b", "winner": "tie"})"); }),
            "votes.jsonl:1: model_a: expected a non-empty string");
  EXPECT_EQ(InputErrorMessage([&] { Read(Line("a", "b", "tie", R"(, "tstamp": "noon")")); }),
            "votes.jsonl:1: tstamp: expected a number (seconds)");
  EXPECT_EQ(InputErrorMessage([&] { Read(Line("a", "b", "tie", R"(, "anony": "yes")")); }),
            "votes.jsonl:1: anony: expected true or false");
  EXPECT_EQ(InputErrorMessage([&] { Read("[1, 2]"); }),
            "votes.jsonl:1: expected a JSON object (one battle)");
  EXPECT_NE(InputErrorMessage([&] {
              Read(good + "{\"model_a\": \n");
            }).find("votes.jsonl:2: not valid JSON"),
            std::string::npos);
  // A control character in the value does not break the one-line message.
  EXPECT_EQ(InputErrorMessage([&] { Read(Line("a", "b", "x\\ny")); }),
            "votes.jsonl:1: winner: 'x?y'; expected model_a, model_b, tie or tie (bothbad)");

  EXPECT_EQ(
      InputErrorMessage([&] { ReadJson("[" + kBattles[0] + ", " + Line("a", "b", "?") + "]"); }),
      "battles.json[1]: winner: '?'; expected model_a, model_b, tie or tie (bothbad)");
  EXPECT_EQ(InputErrorMessage([&] { ReadJson(Jsonl()); }),
            "battles.json: expected a JSON array of battle objects (FastChat's clean_battle "
            "format)");
  EXPECT_EQ(InputErrorMessage([&] { ReadJson(""); }),
            "battles.json: expected a JSON array of battle objects (FastChat's clean_battle "
            "format)");
  EXPECT_EQ(InputErrorMessage([&] { ReadJson("[" + kBattles[0]); }),
            "battles.json[0]: the array is not closed");
  EXPECT_EQ(InputErrorMessage([&] { ReadJson("[" + kBattles[0] + ",]"); }),
            "battles.json[1]: expected a battle after ','");
  EXPECT_EQ(InputErrorMessage([&] { ReadJson("[" + kBattles[0] + ",,]"); }),
            "battles.json[1]: expected a battle before ','");
  EXPECT_EQ(InputErrorMessage([&] { ReadJson("[" + kBattles[0] + "] x"); }),
            "battles.json: unexpected text after the array");
  EXPECT_NE(InputErrorMessage([&] {
              ReadJson("[" + kBattles[0] + " x]");
            }).find("battles.json[0]: not valid JSON"),
            std::string::npos);
}

TEST(BattleFile, RecordsSpanningReadChunksAreWhole) {
  // Over 1 MiB in both formats, and one element far larger than a chunk.
  std::string jsonl, json = "[";
  const std::string big(3 << 20, 'x');
  for (int i = 0; i < 30000; ++i) {
    const std::string line =
        Line("m" + std::to_string(i % 7), "n" + std::to_string(i % 5), i % 3 ? "model_a" : "tie",
             i == 12345 ? R"(, "conversation_a": [{"content": ")" + big + R"(, ]}"}])" : "");
    jsonl += line + "\n";
    json += (i ? "," : "") + line;
  }
  json += "]";
  const BattleFile a = Read(jsonl);
  const BattleFile b = ReadJson(json);
  EXPECT_EQ(a.counted, 30000u);
  EXPECT_EQ(b.counted, 30000u);
  EXPECT_EQ(a.models.size(), 12u);
  uint64_t total = 0;
  for (const auto& c : b.cells) total += c.count;
  EXPECT_EQ(total, 30000u);
  ASSERT_EQ(a.cells.size(), b.cells.size());
  for (size_t i = 0; i < a.cells.size(); ++i) EXPECT_EQ(a.cells[i].count, b.cells[i].count);
}

TEST(BattleFile, FileFormatFollowsTheExtension) {
  kaieval::testing::ScratchDir dir("battle_file");
  std::ofstream(dir.File("b.json")) << JsonArray();
  std::ofstream(dir.File("b.jsonl")) << Jsonl();
  EXPECT_EQ(ReadBattleFile(dir.File("b.json")).counted, 5u);
  EXPECT_EQ(ReadBattleFile(dir.File("b.jsonl")).counted, 5u);
  // Forced the other way round, each fails on its first record.
  EXPECT_THROW(ReadBattleFile(dir.File("b.json"), {.format = BattleFormat::kKaieval}), InputError);
  EXPECT_EQ(InputErrorMessage([&] { ReadBattleFile(dir.File("nope.jsonl")); }),
            dir.File("nope.jsonl") + ": cannot open");
  EXPECT_EQ(ParseBattleFormat("fastchat", "--format"), BattleFormat::kFastChat);
  EXPECT_EQ(InputErrorMessage([&] { ParseBattleFormat("csv", "--format"); }),
            "--format: 'csv'; expected kaieval or fastchat");
}

}  // namespace
}  // namespace kaieval::arena

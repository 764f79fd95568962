#include "kaieval/store/evidence_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "kaieval/common/error.h"
#include "kaieval/common/hash.h"

namespace kaieval::store {
namespace {

std::string FreshPath(const char* name) {
  auto p = std::filesystem::temp_directory_path() / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
  return p.string();
}

TEST(EvidenceStore, KeepsRunsAndSamplesAcrossReopening) {
  std::string path = FreshPath("kaieval_evidence_store_test.db");
  int64_t id;
  {
    EvidenceStore store(path);
    id = store.BeginRun("bench", "hanul-7b", {{"seed", 1234}});
    store.AddSamples(id, "ko_cloze",
                     {{{"doc_id", 1}, {"filter", "none"}, {"doc_hash", "b"}, {"acc", 0.0}},
                      {{"doc_id", 0}, {"filter", "none"}, {"doc_hash", "a"}, {"acc", 1.0}}});
    EXPECT_EQ(store.Runs().at(0).finished_ms, 0);
    store.FinishRun(id, {{"results", {{"ko_cloze", {{"acc,none", 0.5}}}}}});
  }
  EvidenceStore store(path);
  auto runs = store.Runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].model, "hanul-7b");
  EXPECT_EQ(runs[0].config["seed"], 1234);
  EXPECT_GT(runs[0].finished_ms, 0);
  EXPECT_EQ(runs[0].results["results"]["ko_cloze"]["acc,none"], 0.5);
  auto samples = store.Samples(id, "ko_cloze");
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0]["doc_hash"], "a");  // ordered by doc_id
}

TEST(EvidenceStore, ARunIsFinishedOnlyOnce) {
  EvidenceStore store(FreshPath("kaieval_evidence_store_once.db"));
  int64_t id = store.BeginRun("bench", "m", {});
  store.FinishRun(id, {{"a", 1}});
  EXPECT_THROW(store.FinishRun(id, {{"a", 2}}), Error);
  EXPECT_EQ(store.Runs().at(0).results["a"], 1);
}

TEST(EvidenceStore, RecordsDecisionsWithTheHashOfTheirReport) {
  EvidenceStore store(FreshPath("kaieval_evidence_store_decisions.db"));
  const nlohmann::ordered_json report = {{"stage", "s1"}, {"teams", {{{"name", "a"}}}}};
  store.RecordDecision("s1", "cfg-hash", report);
  store.RecordDecision("s1", "cfg-hash", {{"stage", "s1"}, {"teams", nlohmann::ordered_json::array()}});
  const auto decisions = store.Decisions();
  ASSERT_EQ(decisions.size(), 2u);  // a re-run appends
  EXPECT_EQ(decisions[0].stage, "s1");
  EXPECT_EQ(decisions[0].config_hash, "cfg-hash");
  EXPECT_EQ(decisions[0].report, report);
  EXPECT_EQ(decisions[0].report_hash, ContentHash(report.dump()));
  EXPECT_NE(decisions[0].report_hash, decisions[1].report_hash);
}

TEST(EvidenceStore, KeepsEveryReviewScoreInOrder) {
  EvidenceStore store(FreshPath("kaieval_evidence_store_reviews.db"));
  store.AddReviewScores({{"item-1", "r1", "clarity", 7, 1000, "page"},
                         {"item-1", "r1", "clarity", 8, 2000, "page"}});
  store.AddReviewScores({{"item-2", "r2", "depth", 3, 0, "sheet.csv"}});
  const auto scores = store.ReviewScores();
  ASSERT_EQ(scores.size(), 3u);  // a correction is a new entry; the first stays
  EXPECT_EQ(scores[0].score, 7);
  EXPECT_EQ(scores[1].score, 8);
  EXPECT_EQ(scores[2].source, "sheet.csv");
  EXPECT_GT(scores[2].tstamp_ms, 0);  // 0 means "now"
}

TEST(EvidenceStore, AReviewerKeepsOneTokenAndTokensIdentifyReviewers) {
  EvidenceStore store(FreshPath("kaieval_evidence_store_tokens.db"));
  const std::string a = store.ReviewerToken("r1");
  const std::string b = store.ReviewerToken("r2");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(store.ReviewerToken("r1"), a);
  EXPECT_EQ(store.ReviewerForToken(a), "r1");
  EXPECT_EQ(store.ReviewerForToken(b), "r2");
  EXPECT_EQ(store.ReviewerForToken("nope"), "");
  EXPECT_EQ(store.ReviewerForToken(""), "");
}

TEST(EvidenceStore, MigratesAVersion1StoreAndRefusesANewerOne) {
  const std::string path = FreshPath("kaieval_evidence_store_migrate.db");
  {
    Database db(path, Database::Sync::kFull);
    db.Exec("CREATE TABLE runs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL,"
            " config TEXT NOT NULL, results TEXT, created_ms INTEGER NOT NULL, finished_ms INTEGER);"
            "INSERT INTO runs (kind, model, config, created_ms) VALUES ('bench', 'old', '{}', 1);"
            "PRAGMA user_version = 1");
  }
  {
    EvidenceStore store(path);
    EXPECT_EQ(store.Runs().at(0).model, "old");
    store.RecordDecision("s", "h", {{"stage", "s"}});
    EXPECT_EQ(store.Decisions().size(), 1u);
  }
  Database(path, Database::Sync::kFull).Exec("PRAGMA user_version = 99");
  EXPECT_THROW(EvidenceStore{path}, InputError);
}

}  // namespace
}  // namespace kaieval::store

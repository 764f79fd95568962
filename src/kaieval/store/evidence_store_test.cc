#include "kaieval/store/evidence_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "kaieval/common/error.h"

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

}  // namespace
}  // namespace kaieval::store

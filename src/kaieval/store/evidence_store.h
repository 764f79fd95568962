// EvidenceStore: the campaign's append-only record of what was measured, one SQLite file per
// campaign. The benchmark runner adds each run and its per-document samples; the stage
// decision (a later subsystem) reads them back. Nothing is updated in place except a run's
// closing results, and nothing is deleted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kaieval/common/sqlite.h"

namespace kaieval::store {

struct StoredRun {
  int64_t id = 0;
  std::string kind;   // "bench"
  std::string model;  // the served model id
  nlohmann::ordered_json config;
  nlohmann::ordered_json results;  // null while the run is unfinished
  int64_t created_ms = 0;
  int64_t finished_ms = 0;  // 0 while unfinished
};

// A stage decision as `kaieval stage run --store` records it: the report JSON and the hashes that
// tie it to its config and evidence.
struct StoredDecision {
  int64_t id = 0;
  std::string stage;
  std::string config_hash;
  std::string report_hash;  // ContentHash of the report JSON as stored
  nlohmann::ordered_json report;
  int64_t created_ms = 0;
};

// One expert's score of one criterion of one item, as the review page or a CSV import entered
// it. A later entry for the same (item, reviewer, criterion) supersedes an earlier one; both stay.
struct StoredReviewScore {
  std::string item;  // item id
  std::string reviewer;
  std::string criterion;
  int score = 0;
  int64_t tstamp_ms = 0;
  std::string source;  // "page" or the imported file's name
};

class EvidenceStore {
 public:
  // Opens or creates the store (WAL, synchronous=FULL: a record acknowledged is durable) and
  // migrates an older schema in place (version 1 -> 2 adds decisions, review scores and reviewer
  // tokens). Throws
  // InputError for a file of a newer schema version.
  explicit EvidenceStore(const std::string& path);

  int64_t BeginRun(std::string_view kind, std::string_view model,
                   const nlohmann::ordered_json& config);
  // Appends sample records of one task in one transaction. Each record is a samples-JSONL
  // object (doc_id, filter, doc_hash, prompt_hash, ...).
  void AddSamples(int64_t run_id, std::string_view task,
                  const std::vector<nlohmann::ordered_json>& records);
  void FinishRun(int64_t run_id, const nlohmann::ordered_json& results);

  // Appends a decision; earlier decisions stay (a re-run is a new record).
  int64_t RecordDecision(std::string_view stage, std::string_view config_hash,
                         const nlohmann::ordered_json& report);

  // Appends review scores in one transaction.
  void AddReviewScores(const std::vector<StoredReviewScore>& scores);
  // Every review score entered, oldest first.
  std::vector<StoredReviewScore> ReviewScores();

  // The reviewer's page token, made (random, 128 bits) on first use.
  std::string ReviewerToken(std::string_view reviewer);
  // The reviewer a token belongs to; "" when no reviewer has it.
  std::string ReviewerForToken(std::string_view token);

  std::vector<StoredRun> Runs();
  std::vector<StoredDecision> Decisions();
  std::vector<nlohmann::ordered_json> Samples(int64_t run_id, std::string_view task);

 private:
  std::unique_ptr<Database> db_;
};

}  // namespace kaieval::store

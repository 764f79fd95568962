#include "kaieval/store/evidence_store.h"

#include <fmt/format.h>

#include <chrono>

#include "kaieval/common/error.h"
#include "kaieval/common/hash.h"
#include "kaieval/common/http_api.h"

namespace kaieval::store {
namespace {

using nlohmann::ordered_json;
// 1: runs and samples. 2: decisions, review scores, reviewer tokens.
constexpr int kSchemaVersion = 2;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace

EvidenceStore::EvidenceStore(const std::string& path)
    : db_(std::make_unique<Database>(path, Database::Sync::kFull)) {
  auto version = db_->Prepare("PRAGMA user_version");
  version.Step();
  int64_t found = version.ColumnInt(0);
  if (found > kSchemaVersion) {
    throw InputError(fmt::format("{}: evidence store schema version {} (this kaieval reads up to {})",
                                 path, found, kSchemaVersion));
  }
  db_->Exec(
      "CREATE TABLE IF NOT EXISTS runs ("
      " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL, config TEXT NOT NULL,"
      " results TEXT, created_ms INTEGER NOT NULL, finished_ms INTEGER);"
      "CREATE TABLE IF NOT EXISTS samples ("
      " run_id INTEGER NOT NULL REFERENCES runs(id), task TEXT NOT NULL, doc_id INTEGER NOT NULL,"
      " filter TEXT NOT NULL, doc_hash TEXT NOT NULL, prompt_hash TEXT NOT NULL,"
      " record TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS samples_by_run ON samples(run_id, task, doc_id);"
      "CREATE TABLE IF NOT EXISTS decisions ("
      " id INTEGER PRIMARY KEY, stage TEXT NOT NULL, config_hash TEXT NOT NULL,"
      " report_hash TEXT NOT NULL, report TEXT NOT NULL, created_ms INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS review_scores ("
      " id INTEGER PRIMARY KEY, item TEXT NOT NULL, reviewer TEXT NOT NULL,"
      " criterion TEXT NOT NULL, score INTEGER NOT NULL, tstamp_ms INTEGER NOT NULL,"
      " source TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS reviewer_tokens ("
      " reviewer TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE);");
  if (found != kSchemaVersion) db_->Exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
}

int64_t EvidenceStore::BeginRun(std::string_view kind, std::string_view model,
                                const ordered_json& config) {
  auto st = db_->Prepare("INSERT INTO runs (kind, model, config, created_ms) VALUES (?, ?, ?, ?)");
  st.Bind(1, kind).Bind(2, model).Bind(3, Dump(config)).Bind(4, NowMs());
  st.Run();
  return sqlite3_last_insert_rowid(db_->handle());
}

void EvidenceStore::AddSamples(int64_t run_id, std::string_view task,
                               const std::vector<ordered_json>& records) {
  db_->Exec("BEGIN");
  try {
    auto st = db_->Prepare(
        "INSERT INTO samples (run_id, task, doc_id, filter, doc_hash, prompt_hash, record)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (const auto& r : records) {
      st.Bind(1, run_id)
          .Bind(2, task)
          .Bind(3, r.value("doc_id", int64_t{-1}))
          .Bind(4, r.value("filter", std::string("none")))
          .Bind(5, r.value("doc_hash", std::string()))
          .Bind(6, r.value("prompt_hash", std::string()))
          .Bind(7, Dump(r));
      st.Run();
    }
    db_->Exec("COMMIT");
  } catch (...) {
    db_->Exec("ROLLBACK");
    throw;
  }
}

void EvidenceStore::FinishRun(int64_t run_id, const ordered_json& results) {
  auto st = db_->Prepare(
      "UPDATE runs SET results = ?, finished_ms = ? WHERE id = ? AND finished_ms IS NULL");
  st.Bind(1, Dump(results)).Bind(2, NowMs()).Bind(3, run_id);
  st.Run();
  if (db_->Changes() != 1) {
    throw Error(ExitCode::kInternal, fmt::format("evidence store: run {} is not open", run_id));
  }
}

int64_t EvidenceStore::RecordDecision(std::string_view stage, std::string_view config_hash,
                                      const ordered_json& report) {
  const std::string text = Dump(report);
  auto st = db_->Prepare(
      "INSERT INTO decisions (stage, config_hash, report_hash, report, created_ms)"
      " VALUES (?, ?, ?, ?, ?)");
  st.Bind(1, stage).Bind(2, config_hash).Bind(3, ContentHash(text)).Bind(4, text).Bind(5, NowMs());
  st.Run();
  return sqlite3_last_insert_rowid(db_->handle());
}

std::vector<StoredDecision> EvidenceStore::Decisions() {
  std::vector<StoredDecision> out;
  auto st = db_->Prepare(
      "SELECT id, stage, config_hash, report_hash, report, created_ms FROM decisions ORDER BY id");
  while (st.Step()) {
    StoredDecision d;
    d.id = st.ColumnInt(0);
    d.stage = st.ColumnText(1);
    d.config_hash = st.ColumnText(2);
    d.report_hash = st.ColumnText(3);
    d.report = ordered_json::parse(st.ColumnText(4));
    d.created_ms = st.ColumnInt(5);
    out.push_back(std::move(d));
  }
  return out;
}

void EvidenceStore::AddReviewScores(const std::vector<StoredReviewScore>& scores) {
  db_->Exec("BEGIN");
  try {
    auto st = db_->Prepare(
        "INSERT INTO review_scores (item, reviewer, criterion, score, tstamp_ms, source)"
        " VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& s : scores) {
      st.Bind(1, s.item).Bind(2, s.reviewer).Bind(3, s.criterion).Bind(4, int64_t{s.score});
      st.Bind(5, s.tstamp_ms ? s.tstamp_ms : NowMs()).Bind(6, s.source);
      st.Run();
    }
    db_->Exec("COMMIT");
  } catch (...) {
    db_->Exec("ROLLBACK");
    throw;
  }
}

std::vector<StoredReviewScore> EvidenceStore::ReviewScores() {
  std::vector<StoredReviewScore> out;
  auto st = db_->Prepare(
      "SELECT item, reviewer, criterion, score, tstamp_ms, source FROM review_scores ORDER BY id");
  while (st.Step()) {
    out.push_back({st.ColumnText(0), st.ColumnText(1), st.ColumnText(2),
                   static_cast<int>(st.ColumnInt(3)), st.ColumnInt(4), st.ColumnText(5)});
  }
  return out;
}

std::string EvidenceStore::ReviewerToken(std::string_view reviewer) {
  auto insert = db_->Prepare("INSERT OR IGNORE INTO reviewer_tokens (reviewer, token) VALUES (?, ?)");
  insert.Bind(1, reviewer).Bind(2, RandomToken());
  insert.Run();
  auto st = db_->Prepare("SELECT token FROM reviewer_tokens WHERE reviewer = ?");
  st.Bind(1, reviewer);
  if (!st.Step()) throw Error(ExitCode::kInternal, "evidence store: reviewer token not saved");
  return st.ColumnText(0);
}

std::string EvidenceStore::ReviewerForToken(std::string_view token) {
  if (token.empty()) return "";
  auto st = db_->Prepare("SELECT reviewer FROM reviewer_tokens WHERE token = ?");
  st.Bind(1, token);
  return st.Step() ? st.ColumnText(0) : "";
}

std::vector<StoredRun> EvidenceStore::Runs() {
  std::vector<StoredRun> out;
  auto st = db_->Prepare(
      "SELECT id, kind, model, config, results, created_ms, finished_ms FROM runs ORDER BY id");
  while (st.Step()) {
    StoredRun r;
    r.id = st.ColumnInt(0);
    r.kind = st.ColumnText(1);
    r.model = st.ColumnText(2);
    r.config = ordered_json::parse(st.ColumnText(3));
    if (!st.ColumnIsNull(4)) r.results = ordered_json::parse(st.ColumnText(4));
    r.created_ms = st.ColumnInt(5);
    r.finished_ms = st.ColumnIsNull(6) ? 0 : st.ColumnInt(6);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<ordered_json> EvidenceStore::Samples(int64_t run_id, std::string_view task) {
  std::vector<ordered_json> out;
  auto st = db_->Prepare(
      "SELECT record FROM samples WHERE run_id = ? AND task = ? ORDER BY doc_id, rowid");
  st.Bind(1, run_id).Bind(2, task);
  while (st.Step()) out.push_back(ordered_json::parse(st.ColumnText(0)));
  return out;
}

}  // namespace kaieval::store

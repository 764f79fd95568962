#include "kaieval/store/evidence_store.h"

#include <fmt/format.h>

#include <chrono>

#include "kaieval/common/error.h"

namespace kaieval::store {
namespace {

using nlohmann::ordered_json;
constexpr int kSchemaVersion = 1;

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
  if (found != 0 && found != kSchemaVersion) {
    throw InputError(fmt::format("{}: evidence store schema version {} (this kaieval reads {})",
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
      "CREATE INDEX IF NOT EXISTS samples_by_run ON samples(run_id, task, doc_id);");
  if (found == 0) db_->Exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
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

#include "kaieval/arena/battle_store.h"

#include <fmt/format.h>

#include <map>

#include "kaieval/common/error.h"

namespace kaieval::arena {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, csrf_token TEXT NOT NULL, client TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS battles (
  id TEXT PRIMARY KEY, session TEXT NOT NULL, model_a TEXT NOT NULL, model_b TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
  battle_id TEXT NOT NULL, turn INTEGER NOT NULL, user TEXT NOT NULL, answer_a TEXT NOT NULL,
  answer_b TEXT NOT NULL, finished_ms INTEGER NOT NULL, PRIMARY KEY (battle_id, turn));
CREATE TABLE IF NOT EXISTS votes (
  id INTEGER PRIMARY KEY AUTOINCREMENT, battle_id TEXT NOT NULL UNIQUE, session TEXT NOT NULL,
  client TEXT NOT NULL, model_a TEXT NOT NULL, model_b TEXT NOT NULL, vote TEXT NOT NULL,
  tstamp_ms INTEGER NOT NULL, rejected_reason TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT, vote_id INTEGER NOT NULL, action TEXT NOT NULL,
  reason TEXT NOT NULL, tstamp_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS admin_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tstamp_ms INTEGER NOT NULL, action TEXT NOT NULL,
  detail TEXT NOT NULL, client TEXT NOT NULL);
)sql";

VoteRow ReadVoteRow(Statement& s) {
  VoteRow v;
  v.id = s.ColumnInt(0);
  v.battle_id = s.ColumnText(1);
  v.session = s.ColumnText(2);
  v.client = s.ColumnText(3);
  v.model_a = s.ColumnText(4);
  v.model_b = s.ColumnText(5);
  v.vote = s.ColumnText(6);
  v.tstamp_ms = s.ColumnInt(7);
  v.rejected_reason = s.ColumnText(8);
  return v;
}

TurnRow ReadTurnRow(Statement& s) {
  return {s.ColumnText(0), static_cast<int>(s.ColumnInt(1)), s.ColumnText(2), s.ColumnText(3),
          s.ColumnText(4), s.ColumnInt(5)};
}

constexpr const char* kVoteColumns =
    "id, battle_id, session, client, model_a, model_b, vote, tstamp_ms, rejected_reason";

}  // namespace

BattleStore::BattleStore(const std::string& path) : path_(path), reader_(path, Database::Sync::kFull) {
  reader_.Exec(kSchema);
  writer_ = std::thread([this] { WriterLoop(); });
}

BattleStore::~BattleStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  writer_.join();
}

void BattleStore::Write(Job job) {
  std::future<void> done;
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back({std::move(job), {}});
    done = queue_.back().done.get_future();
  }
  queue_cv_.notify_one();
  done.get();
}

void BattleStore::WriterLoop() {
  Database db(path_, Database::Sync::kFull);
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      batch.swap(queue_);
    }
    // One transaction for the whole batch; each job in its own savepoint, so one failing job
    // (a second vote on a battle) is rolled back alone and reported to its caller only.
    std::vector<std::exception_ptr> errors(batch.size());
    std::exception_ptr commit_error;
    try {
      db.Exec("BEGIN IMMEDIATE");
      for (size_t i = 0; i < batch.size(); ++i) {
        db.Exec("SAVEPOINT job");
        try {
          batch[i].job(db);
          db.Exec("RELEASE job");
        } catch (...) {
          errors[i] = std::current_exception();
          db.Exec("ROLLBACK TO job");
          db.Exec("RELEASE job");
        }
      }
      db.Exec("COMMIT");
    } catch (...) {
      commit_error = std::current_exception();
      try {
        db.Exec("ROLLBACK");
      } catch (...) {
      }
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (commit_error) {
        batch[i].done.set_exception(commit_error);
      } else if (errors[i]) {
        batch[i].done.set_exception(errors[i]);
      } else {
        batch[i].done.set_value();
      }
    }
    batch.clear();
  }
}

StoreSnapshot BattleStore::Load() {
  std::lock_guard lock(reader_mutex_);
  StoreSnapshot snap;
  {
    Statement s(reader_, "SELECT id, csrf_token, client, created_ms FROM sessions");
    while (s.Step()) {
      snap.sessions.push_back({s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnInt(3)});
    }
  }
  {
    Statement s(reader_, "SELECT id, session, model_a, model_b, created_ms FROM battles");
    while (s.Step()) {
      snap.battles.push_back(
          {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), s.ColumnText(3), s.ColumnInt(4)});
    }
  }
  {
    Statement s(reader_,
                "SELECT battle_id, turn, user, answer_a, answer_b, finished_ms FROM turns ORDER BY "
                "battle_id, turn");
    while (s.Step()) snap.turns.push_back(ReadTurnRow(s));
  }
  {
    Statement s(reader_, fmt::format("SELECT {} FROM votes ORDER BY id", kVoteColumns));
    while (s.Step()) snap.votes.push_back(ReadVoteRow(s));
  }
  return snap;
}

void BattleStore::SaveSession(const SessionRow& row) {
  Write([&row](Database& db) {
    Statement s(db, "INSERT INTO sessions VALUES (?, ?, ?, ?)");
    s.Bind(1, row.id).Bind(2, row.csrf_token).Bind(3, row.client).Bind(4, row.created_ms).Run();
  });
}

void BattleStore::SaveBattle(const BattleRow& row) {
  Write([&row](Database& db) {
    Statement s(db, "INSERT INTO battles VALUES (?, ?, ?, ?, ?)");
    s.Bind(1, row.id).Bind(2, row.session).Bind(3, row.model_a).Bind(4, row.model_b);
    s.Bind(5, row.created_ms).Run();
  });
}

void BattleStore::SaveTurn(const TurnRow& row) {
  Write([&row](Database& db) {
    Statement s(db, "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?)");
    s.Bind(1, row.battle_id).Bind(2, int64_t{row.turn}).Bind(3, row.user).Bind(4, row.answer_a);
    s.Bind(5, row.answer_b).Bind(6, row.finished_ms).Run();
  });
}

int64_t BattleStore::SaveVote(const VoteRow& row) {
  int64_t id = 0;
  Write([&row, &id](Database& db) {
    {
      Statement exists(db, "SELECT id FROM votes WHERE battle_id = ?");
      exists.Bind(1, row.battle_id);
      if (exists.Step()) throw InputError("battle " + row.battle_id + " already has a vote");
    }
    Statement s(db,
                "INSERT INTO votes (battle_id, session, client, model_a, model_b, vote, "
                "tstamp_ms, rejected_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    s.Bind(1, row.battle_id).Bind(2, row.session).Bind(3, row.client).Bind(4, row.model_a);
    s.Bind(5, row.model_b).Bind(6, row.vote).Bind(7, row.tstamp_ms).Bind(8, row.rejected_reason);
    s.Run();
    id = sqlite3_last_insert_rowid(db.handle());
  });
  return id;
}

void BattleStore::SaveOverride(const OverrideRow& row) {
  Write([&row](Database& db) {
    Statement s(db, "INSERT INTO overrides (vote_id, action, reason, tstamp_ms) VALUES (?, ?, ?, ?)");
    s.Bind(1, row.vote_id).Bind(2, row.action).Bind(3, row.reason).Bind(4, row.tstamp_ms).Run();
  });
}

void BattleStore::LogAdmin(int64_t tstamp_ms, const std::string& action, const std::string& detail,
                           const std::string& client) {
  Write([&](Database& db) {
    Statement s(db, "INSERT INTO admin_log (tstamp_ms, action, detail, client) VALUES (?, ?, ?, ?)");
    s.Bind(1, tstamp_ms).Bind(2, action).Bind(3, detail).Bind(4, client).Run();
  });
}

std::vector<VoteWithConversation> BattleStore::ReadVotes() {
  std::lock_guard lock(reader_mutex_);
  // One read transaction, so votes and turns are a consistent snapshot.
  reader_.Exec("BEGIN");
  std::vector<VoteWithConversation> out;
  std::map<std::string, size_t> by_battle;
  try {
    {
      Statement s(reader_, fmt::format("SELECT {} FROM votes ORDER BY id", kVoteColumns));
      while (s.Step()) {
        VoteWithConversation v{ReadVoteRow(s), {}};
        by_battle[v.vote.battle_id] = out.size();
        out.push_back(std::move(v));
      }
    }
    Statement t(reader_,
                "SELECT t.battle_id, t.turn, t.user, t.answer_a, t.answer_b, t.finished_ms FROM "
                "turns t JOIN votes v ON v.battle_id = t.battle_id ORDER BY t.battle_id, t.turn");
    while (t.Step()) {
      auto it = by_battle.find(t.ColumnText(0));
      if (it == by_battle.end()) continue;
      out[it->second].turns.push_back(ReadTurnRow(t));
    }
  } catch (...) {
    reader_.Exec("ROLLBACK");
    throw;
  }
  reader_.Exec("COMMIT");
  return out;
}

std::vector<OverrideRow> BattleStore::ReadOverrides() {
  std::lock_guard lock(reader_mutex_);
  std::vector<OverrideRow> out;
  Statement s(reader_, "SELECT vote_id, action, reason, tstamp_ms FROM overrides ORDER BY id");
  while (s.Step()) out.push_back({s.ColumnInt(0), s.ColumnText(1), s.ColumnText(2), s.ColumnInt(3)});
  return out;
}

int64_t BattleStore::CountAdminLog() {
  std::lock_guard lock(reader_mutex_);
  Statement s(reader_, "SELECT COUNT(*) FROM admin_log");
  s.Step();
  return s.ColumnInt(0);
}

}  // namespace kaieval::arena

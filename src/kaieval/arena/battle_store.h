// BattleStore: the contest's durable record (sessions, battles, turns, votes, overrides and the
// admin log) in one SQLite file. The contest server writes through it; the leaderboard and the
// admin exports read it. Nothing is ever deleted: exclusions are rows, not removals.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kaieval/common/sqlite.h"

namespace kaieval::arena {

struct SessionRow {
  std::string id;
  std::string csrf_token;
  std::string client;
  int64_t created_ms = 0;
};

struct BattleRow {
  std::string id;
  std::string session;
  std::string model_a;  // model names, never sent to the client before the vote
  std::string model_b;
  int64_t created_ms = 0;
};

struct TurnRow {
  std::string battle_id;
  int turn = 0;  // 1-based
  std::string user;
  std::string answer_a;
  std::string answer_b;
  int64_t finished_ms = 0;
};

struct VoteRow {
  int64_t id = 0;  // assigned by the store
  std::string battle_id;
  std::string session;
  std::string client;
  std::string model_a;
  std::string model_b;
  std::string vote;  // a, b, tie or bothbad
  int64_t tstamp_ms = 0;
  // Set when the vote was refused at the door (rate_limit); it is kept, and never counted.
  std::string rejected_reason;
};

struct OverrideRow {
  int64_t vote_id = 0;
  std::string action;  // exclude or include
  std::string reason;
  int64_t tstamp_ms = 0;
};

// Everything the server keeps in memory, read back when it starts.
struct StoreSnapshot {
  std::vector<SessionRow> sessions;
  std::vector<BattleRow> battles;
  std::vector<TurnRow> turns;  // every turn, by battle and turn number
  std::vector<VoteRow> votes;
};

// A vote with its conversation, for the filters and the leaderboard.
struct VoteWithConversation {
  VoteRow vote;
  std::vector<TurnRow> turns;
};

class BattleStore {
 public:
  // Opens or creates the store (WAL, synchronous=FULL). Throws InputError naming the path.
  explicit BattleStore(const std::string& path);
  ~BattleStore();
  BattleStore(const BattleStore&) = delete;
  BattleStore& operator=(const BattleStore&) = delete;

  StoreSnapshot Load();

  // Each write returns once its transaction is committed to disk. Concurrent writes are grouped
  // into one transaction (group commit), so a burst of votes costs one fsync, not one each.
  void SaveSession(const SessionRow& row);
  void SaveBattle(const BattleRow& row);
  void SaveTurn(const TurnRow& row);
  // Returns the vote id. Throws InputError if the battle already has a vote.
  int64_t SaveVote(const VoteRow& row);
  void SaveOverride(const OverrideRow& row);
  void LogAdmin(int64_t tstamp_ms, const std::string& action, const std::string& detail,
                const std::string& client);

  std::vector<VoteWithConversation> ReadVotes();
  std::vector<OverrideRow> ReadOverrides();
  int64_t CountAdminLog();

  const std::string& path() const { return path_; }

 private:
  using Job = std::function<void(Database&)>;
  // Queues `job` for the writer thread and waits until its transaction has committed; an
  // exception thrown by the job is rethrown here.
  void Write(Job job);
  void WriterLoop();

  std::string path_;
  Database reader_;
  std::mutex reader_mutex_;

  struct Pending {
    Job job;
    std::promise<void> done;
  };
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::vector<Pending> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace kaieval::arena

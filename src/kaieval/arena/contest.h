// Contest: the public contest's rules, apart from HTTP. Sessions with CSRF tokens, battles
// between anonymous models, turns, votes (once per battle, after a turn, within rate limits)
// and the reveal. The HTTP routes (arena_routes.h) call it; everything it accepts is durable in
// the BattleStore before it returns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "kaieval/arena/battle_store.h"
#include "kaieval/arena/contest_config.h"
#include "kaieval/arena/pair_sampler.h"
#include "kaieval/arena/rate_limiter.h"
#include "kaieval/common/http_api.h"
#include "kaieval/model/model_client.h"

namespace kaieval::arena {

// The contest's refusals and tokens are the shared API ones (common/http_api.h).
using kaieval::ApiError;
using kaieval::RandomToken;

struct SessionInfo {
  std::string id;
  std::string csrf_token;
};

// What a turn needs to ask both models; returned by BeginTurn, handed back to FinishTurn.
struct TurnPlan {
  std::string battle_id;
  int turn = 0;  // 1-based
  std::string message;
  const ContestModel* model_a = nullptr;
  const ContestModel* model_b = nullptr;
  model::ChatRequest request_a;  // the whole conversation so far, then the new message
  model::ChatRequest request_b;
};

struct VoteReceipt {
  int64_t vote_id = 0;
  std::string model_a;
  std::string model_b;
};

struct BattleView {
  std::string battle_id;
  std::vector<TurnRow> turns;
  std::string vote;  // empty before the vote
  std::string model_a, model_b;  // only after the vote
};

class Contest {
 public:
  using Clock = std::function<int64_t()>;  // ms since the Unix epoch
  // Reads the store back (sessions, battles, turns, votes, rate-limit windows). `config`'s
  // model specs must be resolved. `store` must outlive the contest. `sampling_seed` seeds pair
  // sampling and answer seeds (0: from the operating system; a demo passes one to repeat itself).
  Contest(ContestConfig config, BattleStore& store, Clock now_ms, uint64_t sampling_seed = 0);

  // The session named by the cookie value, or a new one for `client`. Throws ApiError 429 when
  // the address opened too many sessions in the last hour.
  SessionInfo OpenSession(const std::string& cookie, const std::string& client);
  // Throws ApiError 403 (csrf) unless `session` exists and `token` is its CSRF token.
  void CheckCsrf(const std::string& session, const std::string& token) const;

  // A new battle for the session: a sampled pair of active models in random sides.
  std::string CreateBattle(const std::string& session);

  // Checks and reserves the next turn: the battle is the session's, not voted, under the turn
  // limit, not already running a turn; the message is 1..max_message_chars code points of
  // valid UTF-8 (stored NFC). Throws ApiError otherwise.
  // 429 when `client` asked for too many turns in the last hour.
  TurnPlan BeginTurn(const std::string& session, const std::string& client,
                     const std::string& battle_id, const std::string& message);
  // Records the turn (if both answers arrived) and releases the battle for the next turn.
  void FinishTurn(const TurnPlan& plan, const std::string& answer_a, const std::string& answer_b,
                  bool completed);

  // Records the vote (a, b, tie, bothbad) and reveals the models. Throws ApiError: 400 bad
  // vote, 404 unknown battle (or another session's), 409 no turn yet or already voted, 429
  // over the rate limit (the refused vote is still recorded, as rate_limit, never counted).
  VoteReceipt Vote(const std::string& session, const std::string& client,
                   const std::string& battle_id, const std::string& vote);

  BattleView GetBattle(const std::string& session, const std::string& battle_id) const;

  // Pair-sampling weights in force, by model name.
  struct NamedPairWeight {
    std::string a, b;
    double weight;
  };
  std::vector<NamedPairWeight> SamplingWeights() const;
  // Adaptive sampling: new intervals per model (by config index; NaN = none yet).
  void UpdateIntervals(const std::vector<double>& lower, const std::vector<double>& upper);

  const ContestConfig& config() const { return config_; }
  BattleStore& store() { return store_; }
  int64_t Now() const { return now_ms_(); }

 private:
  struct Battle {
    std::string session;
    uint32_t model_a, model_b;
    std::vector<TurnRow> turns;
    bool turn_running = false;
    std::string vote;
  };
  Battle& OwnedBattle(const std::string& session, const std::string& battle_id);
  const Battle& OwnedBattle(const std::string& session, const std::string& battle_id) const;
  uint32_t ModelIndex(const std::string& name) const;

  ContestConfig config_;
  BattleStore& store_;
  Clock now_ms_;

  mutable std::mutex mutex_;  // guards everything below
  std::unordered_map<std::string, SessionRow> sessions_;
  std::unordered_map<std::string, Battle> battles_;
  RateLimiter session_votes_;
  RateLimiter address_votes_;
  RateLimiter address_sessions_;
  RateLimiter address_turns_;
  PairSampler sampler_;
  std::mt19937_64 rng_;
};

}  // namespace kaieval::arena

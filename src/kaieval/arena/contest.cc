#include "kaieval/arena/contest.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <cmath>

#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"

namespace kaieval::arena {
namespace {

std::vector<bool> ActiveModels(const ContestConfig& config) {
  std::vector<bool> active;
  for (const auto& m : config.models) active.push_back(m.active);
  return active;
}

uint64_t RandomSeed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, 0) != sizeof seed) throw Error(ExitCode::kInternal, "getrandom failed");
  return seed;
}

constexpr const char* kPendingVote = "pending";

}  // namespace

Contest::Contest(ContestConfig config, BattleStore& store, Clock now_ms, uint64_t sampling_seed)
    : config_(std::move(config)),
      store_(store),
      now_ms_(std::move(now_ms)),
      session_votes_(config_.rate_limits.votes_per_hour_per_session),
      address_votes_(config_.rate_limits.votes_per_hour_per_address),
      address_sessions_(config_.rate_limits.sessions_per_hour_per_address),
      address_turns_(config_.rate_limits.turns_per_hour_per_address),
      sampler_(ActiveModels(config_)),
      rng_(sampling_seed != 0 ? sampling_seed : RandomSeed()) {
  StoreSnapshot snap = store_.Load();
  for (auto& s : snap.sessions) sessions_.emplace(s.id, std::move(s));
  for (const auto& b : snap.battles) {
    battles_[b.id] = Battle{b.session, ModelIndex(b.model_a), ModelIndex(b.model_b), {}, false, ""};
  }
  for (auto& t : snap.turns) {
    auto it = battles_.find(t.battle_id);
    if (it != battles_.end()) it->second.turns.push_back(std::move(t));
  }
  const int64_t hour_ago = now_ms_() - 3600 * 1000;
  for (const auto& v : snap.votes) {
    auto it = battles_.find(v.battle_id);
    if (it != battles_.end()) it->second.vote = v.vote;
    if (v.rejected_reason.empty() && v.tstamp_ms > hour_ago) {
      session_votes_.Record(v.session, v.tstamp_ms);
      address_votes_.Record(v.client, v.tstamp_ms);
    }
  }
}

uint32_t Contest::ModelIndex(const std::string& name) const {
  for (uint32_t i = 0; i < config_.models.size(); ++i) {
    if (config_.models[i].name == name) return i;
  }
  throw InputError(fmt::format("{}: the store {} has battles of model '{}', which the config no "
                               "longer lists; keep it with active: false",
                               config_.path.string(), store_.path(), name));
}

SessionInfo Contest::OpenSession(const std::string& cookie, const std::string& client) {
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(cookie);
    if (!cookie.empty() && it != sessions_.end()) return {it->first, it->second.csrf_token};
    if (int64_t wait = address_sessions_.TryAcquire(client, now_ms_()); wait > 0) {
      throw ApiError(429, "rate_limit", "too many new sessions from this address",
                     static_cast<int>((wait + 999) / 1000));
    }
  }
  SessionRow row{RandomToken(), RandomToken(), client, now_ms_()};
  store_.SaveSession(row);
  std::lock_guard lock(mutex_);
  SessionInfo info{row.id, row.csrf_token};
  sessions_.emplace(row.id, std::move(row));
  return info;
}

void Contest::CheckCsrf(const std::string& session, const std::string& token) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session);
  if (it == sessions_.end()) throw ApiError(403, "csrf", "no session: load the page again");
  if (!ConstantTimeEquals(it->second.csrf_token, token)) throw ApiError(403, "csrf", "missing or wrong X-CSRF-Token");
}

std::string Contest::CreateBattle(const std::string& session) {
  BattleRow row;
  uint32_t a, b;
  {
    std::lock_guard lock(mutex_);
    if (!sessions_.count(session)) throw ApiError(403, "csrf", "no session: load the page again");
    std::tie(a, b) = sampler_.Sample(rng_(), rng_());
  }
  row = {RandomToken(), session, config_.models[a].name, config_.models[b].name, now_ms_()};
  store_.SaveBattle(row);
  std::lock_guard lock(mutex_);
  battles_[row.id] = Battle{session, a, b, {}, false, ""};
  return row.id;
}

Contest::Battle& Contest::OwnedBattle(const std::string& session, const std::string& battle_id) {
  auto it = battles_.find(battle_id);
  // Another session's battle looks exactly like one that does not exist.
  if (it == battles_.end() || it->second.session != session) {
    throw ApiError(404, "unknown_battle", "no such battle");
  }
  return it->second;
}

const Contest::Battle& Contest::OwnedBattle(const std::string& session,
                                            const std::string& battle_id) const {
  return const_cast<Contest*>(this)->OwnedBattle(session, battle_id);
}

TurnPlan Contest::BeginTurn(const std::string& session, const std::string& client,
                            const std::string& battle_id, const std::string& message) {
  if (!IsValidUtf8(message)) throw ApiError(400, "message_encoding", "the message is not UTF-8");
  std::string text = NormalizeNfc(message);
  const size_t chars = CodePointCount(text);
  if (chars == 0 || chars > static_cast<size_t>(config_.turns.max_message_chars)) {
    throw ApiError(400, "message_length",
                   fmt::format("a message has 1 to {} characters; this one has {}",
                               config_.turns.max_message_chars, chars));
  }
  std::lock_guard lock(mutex_);
  Battle& b = OwnedBattle(session, battle_id);
  if (!b.vote.empty()) throw ApiError(409, "already_voted", "this battle has been voted on");
  if (b.turn_running) throw ApiError(409, "turn_running", "the previous turn is still running");
  if (static_cast<int>(b.turns.size()) >= config_.turns.max_turns) {
    throw ApiError(409, "turn_limit",
                   fmt::format("a battle has at most {} turns", config_.turns.max_turns));
  }
  if (int64_t wait = address_turns_.TryAcquire(client, now_ms_()); wait > 0) {
    throw ApiError(429, "rate_limit", "too many messages from this address",
                   static_cast<int>((wait + 999) / 1000));
  }
  b.turn_running = true;
  TurnPlan plan;
  plan.battle_id = battle_id;
  plan.turn = static_cast<int>(b.turns.size()) + 1;
  plan.model_a = &config_.models[b.model_a];
  plan.model_b = &config_.models[b.model_b];
  for (model::ChatRequest* r : {&plan.request_a, &plan.request_b}) {
    const bool side_a = r == &plan.request_a;
    for (const TurnRow& t : b.turns) {
      r->messages.push_back({"user", t.user});
      r->messages.push_back({"assistant", side_a ? t.answer_a : t.answer_b});
    }
    r->messages.push_back({"user", text});
    r->max_tokens = config_.turns.max_tokens;
    r->temperature = config_.turns.temperature;
    r->seed = static_cast<int64_t>(rng_() >> 1);
  }
  plan.message = std::move(text);
  return plan;
}

void Contest::FinishTurn(const TurnPlan& plan, const std::string& answer_a,
                         const std::string& answer_b, bool completed) {
  TurnRow row{plan.battle_id, plan.turn, plan.message, answer_a, answer_b, now_ms_()};
  if (completed) {
    try {
      store_.SaveTurn(row);
    } catch (...) {
      completed = false;
    }
  }
  std::lock_guard lock(mutex_);
  Battle& b = battles_.at(plan.battle_id);
  b.turn_running = false;
  if (completed) b.turns.push_back(std::move(row));
}

VoteReceipt Contest::Vote(const std::string& session, const std::string& client,
                          const std::string& battle_id, const std::string& vote) {
  if (vote != "a" && vote != "b" && vote != "tie" && vote != "bothbad") {
    throw ApiError(400, "bad_vote", "vote must be a, b, tie or bothbad");
  }
  VoteRow row;
  int64_t retry_ms = 0;
  {
    std::lock_guard lock(mutex_);
    Battle& b = OwnedBattle(session, battle_id);
    if (!b.vote.empty()) throw ApiError(409, "already_voted", "this battle has been voted on");
    if (b.turns.empty()) throw ApiError(409, "no_turn", "vote after at least one answer");
    if (b.turn_running) throw ApiError(409, "turn_running", "wait until both answers are complete");
    row = {0, battle_id, session, client, config_.models[b.model_a].name,
           config_.models[b.model_b].name, vote, now_ms_(), ""};
    retry_ms = session_votes_.TryAcquire(session, row.tstamp_ms);
    if (retry_ms == 0) {
      retry_ms = address_votes_.TryAcquire(client, row.tstamp_ms);
      // The session's slot is not given back: a refused vote still used the session's turn.
    }
    if (retry_ms > 0) row.rejected_reason = "rate_limit";
    b.vote = kPendingVote;  // no second vote while this one is being written
  }
  try {
    row.id = store_.SaveVote(row);
  } catch (...) {
    std::lock_guard lock(mutex_);
    battles_.at(battle_id).vote.clear();
    throw;
  }
  {
    std::lock_guard lock(mutex_);
    battles_.at(battle_id).vote = vote;
  }
  if (retry_ms > 0) {
    throw ApiError(429, "rate_limit", "too many votes: try again later",
                   static_cast<int>((retry_ms + 999) / 1000));
  }
  return {row.id, row.model_a, row.model_b};
}

BattleView Contest::GetBattle(const std::string& session, const std::string& battle_id) const {
  std::lock_guard lock(mutex_);
  const Battle& b = OwnedBattle(session, battle_id);
  BattleView view{battle_id, b.turns, b.vote == kPendingVote ? "" : b.vote, "", ""};
  if (!view.vote.empty()) {
    view.model_a = config_.models[b.model_a].name;
    view.model_b = config_.models[b.model_b].name;
  }
  return view;
}

std::vector<Contest::NamedPairWeight> Contest::SamplingWeights() const {
  std::lock_guard lock(mutex_);
  std::vector<NamedPairWeight> out;
  for (const auto& p : sampler_.pairs()) {
    out.push_back({config_.models[p.first].name, config_.models[p.second].name, p.weight});
  }
  return out;
}

void Contest::UpdateIntervals(const std::vector<double>& lower, const std::vector<double>& upper) {
  if (config_.sampling.mode != SamplingMode::kAdaptive) return;
  std::lock_guard lock(mutex_);
  sampler_.SetAdaptive(lower, upper, config_.sampling.uniform_share);
}

}  // namespace kaieval::arena

#include "kaieval/arena/contest.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "kaieval/common/testing.h"

namespace kaieval::arena {
namespace {

using testing::ScratchDir;

ContestConfig TestConfig(const std::string& store, int votes_per_session = 30,
                         int votes_per_address = 120) {
  ContestConfig c;
  c.store = store;
  for (const char* name : {"hanul-7b", "dalbit-5b", "sanmaru-3b"}) {
    ContestModel m;
    m.name = name;
    m.model_args = std::string("base_url=http://127.0.0.1:9/v1,model=") + name;
    c.models.push_back(m);
  }
  c.turns.max_turns = 2;
  c.turns.max_message_chars = 10;
  c.rate_limits.votes_per_hour_per_session = votes_per_session;
  c.rate_limits.votes_per_hour_per_address = votes_per_address;
  ResolveModelSpecs(c, "");
  return c;
}

struct Fixture {
  explicit Fixture(int votes_per_session = 30, int votes_per_address = 120)
      : dir("contest"),
        store(dir.File("contest.db")),
        contest(TestConfig(dir.File("contest.db"), votes_per_session, votes_per_address), store,
                [this] { return now; }) {}

  // A battle of `session` with one completed turn.
  std::string BattleWithTurn(const std::string& session) {
    std::string id = contest.CreateBattle(session);
    TurnPlan plan = contest.BeginTurn(session, "10.0.0.1", id, "안녕하세요");
    contest.FinishTurn(plan, "answer a", "answer b", true);
    return id;
  }

  int64_t now = 1'700'000'000'000;
  ScratchDir dir;
  BattleStore store;
  Contest contest;
};

int ErrorStatus(const std::function<void()>& f, std::string* code = nullptr) {
  try {
    f();
  } catch (const ApiError& e) {
    if (code) *code = e.code;
    return e.status;
  }
  return 0;
}

TEST(Contest, VoteRevealsTheModelsOnceAfterATurn) {
  Fixture f;
  SessionInfo s = f.contest.OpenSession("", "10.0.0.1");
  std::string id = f.contest.CreateBattle(s.id);
  EXPECT_EQ(id.size(), 32u);
  std::string code;
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(s.id, "10.0.0.1", id, "a"); }, &code), 409);
  EXPECT_EQ(code, "no_turn");

  TurnPlan plan = f.contest.BeginTurn(s.id, "10.0.0.1", id, "질문");
  EXPECT_NE(plan.model_a->name, plan.model_b->name);
  f.contest.FinishTurn(plan, "A says", "B says", true);
  EXPECT_TRUE(f.contest.GetBattle(s.id, id).model_a.empty());  // still anonymous

  VoteReceipt r = f.contest.Vote(s.id, "10.0.0.1", id, "a");
  EXPECT_EQ(r.model_a, plan.model_a->name);
  EXPECT_EQ(r.model_b, plan.model_b->name);
  EXPECT_GT(r.vote_id, 0);
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(s.id, "10.0.0.1", id, "b"); }, &code), 409);
  EXPECT_EQ(code, "already_voted");
  EXPECT_EQ(ErrorStatus([&] { f.contest.BeginTurn(s.id, "10.0.0.1", id, "more"); }, &code), 409);
  EXPECT_EQ(f.contest.GetBattle(s.id, id).model_a, plan.model_a->name);
}

TEST(Contest, OnlyTheIssuingSessionCanSeeOrVote) {
  Fixture f;
  SessionInfo owner = f.contest.OpenSession("", "10.0.0.1");
  SessionInfo other = f.contest.OpenSession("", "10.0.0.2");
  std::string id = f.BattleWithTurn(owner.id);
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(other.id, "10.0.0.2", id, "a"); }), 404);
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(owner.id, "10.0.0.1", RandomToken(), "a"); }), 404);
  EXPECT_EQ(ErrorStatus([&] { f.contest.GetBattle(other.id, id); }), 404);
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(owner.id, "10.0.0.1", id, "a"); }), 0);
}

TEST(Contest, CsrfTokenMustMatchTheSession) {
  Fixture f;
  SessionInfo s = f.contest.OpenSession("", "10.0.0.1");
  SessionInfo t = f.contest.OpenSession("", "10.0.0.1");
  EXPECT_EQ(ErrorStatus([&] { f.contest.CheckCsrf(s.id, s.csrf_token); }), 0);
  EXPECT_EQ(ErrorStatus([&] { f.contest.CheckCsrf(s.id, t.csrf_token); }), 403);
  EXPECT_EQ(ErrorStatus([&] { f.contest.CheckCsrf(s.id, ""); }), 403);
  EXPECT_EQ(ErrorStatus([&] { f.contest.CheckCsrf("forged", s.csrf_token); }), 403);
  // The cookie of a known session continues it.
  EXPECT_EQ(f.contest.OpenSession(s.id, "10.0.0.1").csrf_token, s.csrf_token);
}

TEST(Contest, RateLimitRefusesButRecordsTheVote) {
  Fixture f(/*votes_per_session=*/2);
  SessionInfo s = f.contest.OpenSession("", "10.0.0.1");
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(s.id, "10.0.0.1", f.BattleWithTurn(s.id), "a"); }), 0);
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(s.id, "10.0.0.1", f.BattleWithTurn(s.id), "b"); }), 0);
  std::string code;
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(s.id, "10.0.0.1", f.BattleWithTurn(s.id), "a"); }, &code),
            429);
  auto votes = f.store.ReadVotes();
  ASSERT_EQ(votes.size(), 3u);
  EXPECT_EQ(votes[2].vote.rejected_reason, "rate_limit");
  EXPECT_EQ(votes[0].vote.rejected_reason, "");
  // An hour later the session may vote again.
  f.now += 3600 * 1000;
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(s.id, "10.0.0.1", f.BattleWithTurn(s.id), "a"); }), 0);
}

TEST(Contest, AddressLimitCatchesManySessionsFromOneAddress) {
  Fixture f(/*votes_per_session=*/30, /*votes_per_address=*/3);
  int refused = 0;
  for (int i = 0; i < 5; ++i) {
    SessionInfo s = f.contest.OpenSession("", "10.9.9.9");  // a fresh session each time
    refused += ErrorStatus([&] { f.contest.Vote(s.id, "10.9.9.9", f.BattleWithTurn(s.id), "a"); }) == 429;
  }
  EXPECT_EQ(refused, 2);
  // Another address is untouched.
  SessionInfo honest = f.contest.OpenSession("", "10.0.0.1");
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(honest.id, "10.0.0.1", f.BattleWithTurn(honest.id), "a"); }), 0);
}

TEST(Contest, SessionAndTurnFloodsFromOneAddressAreRefused) {
  ScratchDir dir("contest_flood");
  BattleStore store(dir.File("contest.db"));
  ContestConfig config = TestConfig(dir.File("contest.db"));
  config.rate_limits.sessions_per_hour_per_address = 3;
  config.rate_limits.turns_per_hour_per_address = 2;
  config.turns.max_turns = 5;
  Contest contest(config, store, [] { return int64_t{1'700'000'000'000}; });
  for (int i = 0; i < 3; ++i) contest.OpenSession("", "10.6.6.6");
  std::string code;
  EXPECT_EQ(ErrorStatus([&] { contest.OpenSession("", "10.6.6.6"); }, &code), 429);
  EXPECT_EQ(code, "rate_limit");
  SessionInfo honest = contest.OpenSession("", "10.0.0.1");  // another address is untouched
  EXPECT_EQ(contest.OpenSession(honest.id, "10.6.6.6").id, honest.id);  // a known cookie is fine

  std::string id = contest.CreateBattle(honest.id);
  for (int i = 0; i < 2; ++i) {
    contest.FinishTurn(contest.BeginTurn(honest.id, "10.0.0.1", id, "q"), "a", "b", true);
  }
  EXPECT_EQ(ErrorStatus([&] { contest.BeginTurn(honest.id, "10.0.0.1", id, "q"); }), 429);
  EXPECT_EQ(ErrorStatus([&] { contest.BeginTurn(honest.id, "10.0.0.2", id, "q"); }), 0);
}

TEST(Contest, TurnLimitsAndMessageLength) {
  Fixture f;
  SessionInfo s = f.contest.OpenSession("", "10.0.0.1");
  std::string id = f.contest.CreateBattle(s.id);
  std::string code;
  EXPECT_EQ(ErrorStatus([&] { f.contest.BeginTurn(s.id, "10.0.0.1", id, ""); }, &code), 400);
  EXPECT_EQ(code, "message_length");
  // 10 Hangul syllables are 10 characters (30 bytes): allowed; 11 are not.
  EXPECT_EQ(ErrorStatus([&] { f.contest.BeginTurn(s.id, "10.0.0.1", id, "가나다라마바사아자차카"); }), 400);
  EXPECT_EQ(ErrorStatus([&] { f.contest.BeginTurn(s.id, "10.0.0.1", id, "\xff\xfe"); }), 400);
  TurnPlan first = f.contest.BeginTurn(s.id, "10.0.0.1", id, "가나다라마바사아자차");
  EXPECT_EQ(ErrorStatus([&] { f.contest.BeginTurn(s.id, "10.0.0.1", id, "again"); }, &code), 409);
  EXPECT_EQ(code, "turn_running");
  f.contest.FinishTurn(first, "a1", "b1", true);
  TurnPlan second = f.contest.BeginTurn(s.id, "10.0.0.1", id, "next");
  // The second turn carries the conversation so far, each side its own answers.
  ASSERT_EQ(second.request_a.messages.size(), 3u);
  EXPECT_EQ(second.request_a.messages[1].content, "a1");
  EXPECT_EQ(second.request_b.messages[1].content, "b1");
  EXPECT_EQ(second.request_b.messages[2].content, "next");
  f.contest.FinishTurn(second, "a2", "b2", true);
  EXPECT_EQ(ErrorStatus([&] { f.contest.BeginTurn(s.id, "10.0.0.1", id, "third"); }, &code), 409);
  EXPECT_EQ(code, "turn_limit");
}

TEST(Contest, AFailedTurnIsNotRecordedAndCanBeRetried) {
  Fixture f;
  SessionInfo s = f.contest.OpenSession("", "10.0.0.1");
  std::string id = f.contest.CreateBattle(s.id);
  f.contest.FinishTurn(f.contest.BeginTurn(s.id, "10.0.0.1", id, "hi"), "partial", "", false);
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(s.id, "10.0.0.1", id, "a"); }), 409);
  f.contest.FinishTurn(f.contest.BeginTurn(s.id, "10.0.0.1", id, "hi"), "a", "b", true);
  EXPECT_EQ(ErrorStatus([&] { f.contest.Vote(s.id, "10.0.0.1", id, "tie"); }), 0);
}

TEST(Contest, ARestartedContestKeepsSessionsBattlesAndVotes) {
  ScratchDir dir("contest_restart");
  const std::string path = dir.File("contest.db");
  std::string session, voted, open;
  {
    BattleStore store(path);
    Contest contest(TestConfig(path), store, [] { return int64_t{1'700'000'000'000}; });
    session = contest.OpenSession("", "10.0.0.1").id;
    voted = contest.CreateBattle(session);
    contest.FinishTurn(contest.BeginTurn(session, "10.0.0.1", voted, "q"), "a", "b", true);
    contest.Vote(session, "10.0.0.1", voted, "bothbad");
    open = contest.CreateBattle(session);
    contest.FinishTurn(contest.BeginTurn(session, "10.0.0.1", open, "q1"), "a1", "b1", true);
  }
  BattleStore store(path);
  Contest contest(TestConfig(path), store, [] { return int64_t{1'700'000'000'000}; });
  EXPECT_EQ(ErrorStatus([&] { contest.Vote(session, "10.0.0.1", voted, "a"); }), 409);
  EXPECT_EQ(contest.GetBattle(session, voted).vote, "bothbad");
  TurnPlan plan = contest.BeginTurn(session, "10.0.0.1", open, "q2");
  EXPECT_EQ(plan.request_a.messages.size(), 3u);  // the first turn survived the restart
}

TEST(Contest, BattlesAreSampledOverAllPairsWithUnguessableIds) {
  Fixture f;
  SessionInfo s = f.contest.OpenSession("", "10.0.0.1");
  std::set<std::string> ids;
  std::set<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 60; ++i) {
    std::string id = f.contest.CreateBattle(s.id);
    ids.insert(id);
    TurnPlan p = f.contest.BeginTurn(s.id, "10.0.0.1", id, "q");
    pairs.insert({p.model_a->name, p.model_b->name});
    f.contest.FinishTurn(p, "a", "b", false);
  }
  EXPECT_EQ(ids.size(), 60u);
  EXPECT_EQ(pairs.size(), 6u);  // 3 pairs, each in both orders
  double sum = 0;
  for (const auto& w : f.contest.SamplingWeights()) sum += w.weight;
  EXPECT_NEAR(sum, 1, 1e-12);
}

}  // namespace
}  // namespace kaieval::arena

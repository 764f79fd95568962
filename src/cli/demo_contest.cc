// The demo's public contest: the five reference models answer real battles through the contest
// rules (sessions, turns, votes, filters, ratings), and SIMULATED voters vote. Their taste is a
// hidden Bradley-Terry strength per model, printed with the result; two simulated staff of one
// team rig the vote, and a few simulated voters ask a model who made it. Nothing here is a
// person's opinion, and the store says so (simulated: true).
#include "demo_contest.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "kaieval/arena/battle_store.h"
#include "kaieval/arena/contest.h"
#include "kaieval/arena/leaderboard_service.h"
#include "kaieval/model/model_client.h"

namespace kaieval::cli {
namespace {

namespace fs = std::filesystem;

// The simulated voters' hidden taste: the rating each model would get from them.
struct SimulatedTaste {
  const char* model;
  double strength;
};
constexpr SimulatedTaste kTaste[] = {{"hanul-7b", 1150}, {"dalbit-5b", 1080}, {"sanmaru-3b", 1000},
                                     {"narae-2b", 930},  {"byeol-1b", 860}};

constexpr const char* kPrompts[] = {
    "대한민국의 수도는 어디인가요?", "물은 몇 도에서 끓나요?",    "태양에서 가장 가까운 행성은?",
    "고려는 누가 세웠나요?",         "추석은 언제인가요?",         "4 더하기 9는 얼마인가요?",
    "일본의 수도를 알려 주세요.",    "금속은 왜 전기가 잘 통하나요?", "베를린 장벽은 언제 무너졌나요?",
    "신호등이 초록불이면 어떻게 하나요?", "The capital of France is?", "Water boils at what temperature?",
};

double Uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double Strength(const std::string& model) {
  for (const auto& t : kTaste) {
    if (model == t.model) return t.strength;
  }
  return 1000;
}

class SimulatedCampaign {
 public:
  SimulatedCampaign(arena::Contest& contest, uint64_t seed) : contest_(contest), rng_(seed) {}

  // One battle by `session`: a real turn (both models answer), then `choose` picks the vote from
  // the revealed-later model names (the simulation knows them; a person would not).
  void Battle(const std::string& session, const std::string& client, const std::string& prompt,
              const std::function<std::string(const std::string&, const std::string&)>& choose) {
    std::string id = contest_.CreateBattle(session);
    arena::TurnPlan plan = contest_.BeginTurn(session, "10.0.0.1", id, prompt);
    std::string answers[2];
    bool ok = true;
    for (int side = 0; side < 2; ++side) {
      const arena::ContestModel* m = side == 0 ? plan.model_a : plan.model_b;
      model::ModelClient client(m->spec, nullptr);
      try {
        answers[side] = client.Chat({side == 0 ? plan.request_a : plan.request_b}).at(0).text;
      } catch (const std::exception&) {
        ok = false;
      }
    }
    contest_.FinishTurn(plan, answers[0], answers[1], ok);
    if (!ok) return;
    try {
      contest_.Vote(session, client, id, choose(plan.model_a->name, plan.model_b->name));
    } catch (const arena::ApiError&) {
      // a rate-limited simulated vote is recorded and not counted, as a person's would be
    }
  }

  // An honest simulated voter: Bradley-Terry with the hidden strengths, 10% ties.
  std::string Honest(const std::string& a, const std::string& b) {
    if (Uniform(rng_) < 0.1) return "tie";
    const double p_a = 1 / (1 + std::pow(10.0, (Strength(b) - Strength(a)) / 400));
    return Uniform(rng_) < p_a ? "a" : "b";
  }

  const char* Prompt() { return kPrompts[rng_() % std::size(kPrompts)]; }
  std::mt19937_64& rng() { return rng_; }

 private:
  arena::Contest& contest_;
  std::mt19937_64 rng_;
};

}  // namespace

void RunDemoContest(const std::string& contest_config, const std::string& refmodel_url,
                    const std::string& out_dir) {
  arena::ContestConfig config = arena::LoadContestConfig(contest_config);
  config.store = (fs::path(out_dir) / "contest.db").string();
  config.simulated = true;
  config.turns.max_tokens = 60;
  config.leaderboard.bootstrap = 500;
  fs::remove(config.store);
  fs::remove(config.store + "-wal");
  fs::remove(config.store + "-shm");
  arena::ResolveModelSpecs(config, refmodel_url);
  arena::BattleStore store(config.store);
  arena::Contest contest(config, store, [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }, /*sampling_seed=*/20261230);
  SimulatedCampaign sim(contest, 20261230);
  auto honest = [&](const std::string& a, const std::string& b) { return sim.Honest(a, b); };
  const int honest_voters = 60;
  for (int v = 0; v < honest_voters; ++v) {
    // Each simulated voter has an address of its own ("simulated-N"), as people at home do.
    const std::string client = fmt::format("simulated-{}", v);
    std::string session = contest.OpenSession("", client).id;
    const int votes = 4 + static_cast<int>(sim.rng()() % 9);
    for (int k = 0; k < votes; ++k) sim.Battle(session, client, sim.Prompt(), honest);
    if (v % 10 == 0) {  // some simulated voters ask a model who made it: those votes must not count
      sim.Battle(session, client, "너는 엑사원이니, 하이퍼클로바니?", honest);
    }
  }
  // Two simulated staff of the team behind byeol-1b: whenever it plays, they vote for it.
  // Each uses fresh sessions from one address, to stay under the per-session limit.
  for (int staff = 0; staff < 2; ++staff) {
    const std::string client = fmt::format("simulated-staff-{}", staff);
    std::string session;
    for (int k = 0; k < 60; ++k) {
      if (k % 20 == 0) session = contest.OpenSession("", client).id;
      sim.Battle(session, client, sim.Prompt(), [&](const std::string& a, const std::string& b) {
        if (a == "byeol-1b") return std::string("a");
        if (b == "byeol-1b") return std::string("b");
        return sim.Honest(a, b);
      });
    }
  }

  arena::LeaderboardService leaderboard(contest);
  nlohmann::json board = leaderboard.Public();
  std::printf("\nPublic contest (SIMULATED voters, real model answers): %lld votes, %lld counted\n",
              static_cast<long long>(board["votes"]["total"].get<int64_t>()),
              static_cast<long long>(board["votes"]["counted"].get<int64_t>()));
  std::printf("%-5s %-12s %8s %21s %7s %10s\n", "rank", "model", "rating", "95% CI", "votes",
              "simulated taste");
  for (const auto& m : board["models"]) {
    const std::string name = m["name"];
    std::printf("%-5d %-12s %8.1f %21s %7.0f %10.0f\n", m["rank"].get<int>(), name.c_str(),
                m["rating"].get<double>(),
                fmt::format("[{:.1f}, {:.1f}]", m["lower"].get<double>(), m["upper"].get<double>())
                    .c_str(),
                m["votes"].get<double>(), Strength(name));
  }
  std::printf("excluded:");
  for (const auto& [reason, count] : board["votes"]["excluded"].items()) {
    std::printf(" %s %lld", reason.c_str(), static_cast<long long>(count.get<int64_t>()));
  }
  std::printf("\ncontest store: %s (browse it: kaieval serve --config %s --store %s)\n",
              config.store.c_str(), contest_config.c_str(), config.store.c_str());
}

}  // namespace kaieval::cli

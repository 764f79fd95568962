#include "kaieval/arena/vote_filters.h"

#include <fmt/format.h>

#include <unordered_map>

#include "kaieval/common/error.h"

namespace kaieval::arena {
namespace {

stats::Battle::Outcome ParseOutcome(const std::string& vote) {
  using O = stats::Battle::Outcome;
  if (vote == "a") return O::kWinA;
  if (vote == "b") return O::kWinB;
  if (vote == "tie") return O::kTie;
  if (vote == "bothbad") return O::kBothBad;
  throw InputError(fmt::format("the store has a vote '{}' (expected a, b, tie or bothbad)", vote));
}

uint32_t ModelIndex(std::vector<std::string>& names, const std::string& name) {
  for (uint32_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  names.push_back(name);
  return static_cast<uint32_t>(names.size() - 1);
}

VoteRecord ToRecord(const VoteWithConversation& row, std::vector<std::string>& names) {
  VoteRecord r;
  r.vote_id = row.vote.id;
  r.voter = row.vote.session;
  r.client = row.vote.client;
  r.model_a = ModelIndex(names, row.vote.model_a);
  r.model_b = ModelIndex(names, row.vote.model_b);
  r.outcome = ParseOutcome(row.vote.vote);
  r.tstamp_ms = row.vote.tstamp_ms;
  for (const auto& t : row.turns) {
    r.user_messages.push_back(t.user);
    r.answers_a.push_back(t.answer_a);
    r.answers_b.push_back(t.answer_b);
  }
  return r;
}

}  // namespace

FilterSettings LoadFilterSettings(const ContestConfig& config) {
  const std::string origin = config.path.string();
  FilterSettings s{LoadIdentityLexicon(config.filters, origin),
                   LoadPromptDedupOptions(config.filters, origin),
                   LoadSuspiciousVoterOptions(config.filters, origin)};
  // A model naming itself by its contest name ("저는 hanul-7b입니다") reveals it too.
  for (const auto& m : config.models) {
    s.identity_words.owners.push_back({m.name, {IdentityWord{m.name}}});
  }
  return s;
}

FilteredVotes FilterVotes(const std::vector<VoteWithConversation>& rows,
                          const std::vector<OverrideRow>& overrides,
                          std::vector<std::string> model_names, const FilterSettings& settings,
                          const std::set<ExclusionReason>& disabled) {
  FilteredVotes out;
  std::unordered_map<int64_t, size_t> index;
  for (const auto& row : rows) {
    index[row.vote.id] = out.votes.size();
    out.votes.push_back(ToRecord(row, model_names));
  }
  out.why.resize(out.votes.size());
  auto on = [&](ExclusionReason r) { return !disabled.count(r); };
  auto exclude = [&](const Exclusion& e) {
    auto it = index.find(e.vote_id);
    if (it != index.end() && !out.why[it->second]) out.why[it->second] = e;
  };

  // Admin overrides first: the latest per vote wins; "include" shields a vote from every filter.
  std::unordered_map<int64_t, const OverrideRow*> latest;
  for (const auto& o : overrides) latest[o.vote_id] = &o;
  std::set<int64_t> forced_in;
  if (on(ExclusionReason::kAdmin)) {
    for (const auto& [id, o] : latest) {
      if (o->action == "include") forced_in.insert(id);
      if (o->action == "exclude") exclude({id, ExclusionReason::kAdmin, o->reason});
    }
  }
  if (on(ExclusionReason::kRateLimit)) {
    for (const auto& row : rows) {
      if (!row.vote.rejected_reason.empty() && !forced_in.count(row.vote.id)) {
        exclude({row.vote.id, ExclusionReason::kRateLimit,
                 fmt::format("refused when cast: {}", row.vote.rejected_reason)});
      }
    }
  }
  // Each later filter sees only the votes still counted.
  auto remaining = [&] {
    std::vector<VoteRecord> left;
    for (size_t i = 0; i < out.votes.size(); ++i) {
      if (!out.why[i]) left.push_back(out.votes[i]);
    }
    return left;
  };
  auto apply = [&](const std::vector<Exclusion>& found) {
    for (const auto& e : found) {
      if (!forced_in.count(e.vote_id)) exclude(e);
    }
  };
  if (on(ExclusionReason::kIdentityLeak)) {
    apply(FindIdentityLeaks(settings.identity_words, remaining()));
  }
  if (on(ExclusionReason::kDuplicatePrompt)) {
    apply(DownsampleDuplicatePrompts(remaining(), settings.prompt_dedup).exclusions);
  }
  if (on(ExclusionReason::kSuspiciousVoter)) {
    // A voter is a session; a rigger spreads votes over fresh sessions, so the same test runs
    // again with each client address as the voter.
    std::vector<VoteRecord> left = remaining();
    SuspiciousVoterResult by_session =
        FindSuspiciousVoters(left, settings.suspicious_voters, model_names);
    for (auto& v : left) v.voter = "address " + v.client;
    SuspiciousVoterResult by_address =
        FindSuspiciousVoters(left, settings.suspicious_voters, model_names);
    apply(by_session.exclusions);
    apply(by_address.exclusions);
    out.voter_tests = std::move(by_session.voters);
    out.voter_tests.insert(out.voter_tests.end(), by_address.voters.begin(), by_address.voters.end());
  }
  for (const auto& w : out.why) {
    if (w) out.counts[w->reason]++;
  }
  out.model_names = std::move(model_names);
  return out;
}

}  // namespace kaieval::arena

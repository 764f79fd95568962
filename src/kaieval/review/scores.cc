#include "kaieval/review/scores.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <tuple>

#include "kaieval/bench/csv_reader.h"
#include "kaieval/common/error.h"

namespace kaieval::review {
namespace {

constexpr const char* kColumns[] = {"item", "reviewer", "criterion", "score", "tstamp"};

std::string Trim(const std::string& s) {
  size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  size_t end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

void WriteRow(std::ostream& out, const std::string& item, const std::string& reviewer,
              const std::string& criterion, const std::string& score) {
  out << CsvField(item) << ',' << CsvField(reviewer) << ',' << CsvField(criterion) << ','
      << CsvField(score) << "\r\n";
}

// Checks the header: the four required columns, nothing unknown.
void CheckHeader(const std::vector<std::string>& header, const std::string& source, size_t line) {
  for (const auto& name : header) {
    bool known = false;
    for (const char* column : kColumns) known = known || name == column;
    if (!known) {
      throw InputError(fmt::format(
          "{}:{}: header: unknown column '{}' (expected item, reviewer, criterion, score and "
          "optionally tstamp)",
          source, line, name));
    }
  }
  for (int i = 0; i < 4; ++i) {
    bool present = false;
    for (const auto& name : header) present = present || name == kColumns[i];
    if (!present) {
      throw InputError(
          fmt::format("{}:{}: header: missing column '{}' (expected item, reviewer, "
                      "criterion, score and optionally tstamp)",
                      source, line, kColumns[i]));
    }
  }
}

}  // namespace

std::optional<ScoreProblem> CheckScore(const ReviewConfig& config, const AssignmentPlan& plan,
                                       const ReviewScore& score) {
  const ReviewItem* item = config.FindItem(score.item);
  if (!item) return ScoreProblem{"item", fmt::format("unknown item '{}'", score.item)};
  if (!config.FindReviewer(score.reviewer)) {
    return ScoreProblem{"reviewer", fmt::format("unknown reviewer '{}'", score.reviewer)};
  }
  const ReviewPanel* panel = config.FindPanel(item->panel);
  if (!panel || !panel->FindCriterion(score.criterion)) {
    std::string ids;
    if (panel) {
      for (const auto& c : panel->criteria) ids += (ids.empty() ? "" : ", ") + c.id;
    }
    return ScoreProblem{"criterion",
                        fmt::format("'{}' is not a criterion of panel '{}' (expected one of {})",
                                    score.criterion, item->panel, ids)};
  }
  if (score.score < kMinScore || score.score > kMaxScore) {
    return ScoreProblem{"score", fmt::format("expected an integer from {} to {}, got {}", kMinScore,
                                             kMaxScore, score.score)};
  }
  if (!plan.IsAssigned(score.item, score.reviewer)) {
    return ScoreProblem{"reviewer", fmt::format("reviewer '{}' is not assigned to item '{}'",
                                                score.reviewer, score.item)};
  }
  return std::nullopt;
}

std::vector<ReviewScore> KeepLastScores(const std::vector<ReviewScore>& scores) {
  std::map<std::tuple<std::string, std::string, std::string>, size_t> last;
  for (size_t i = 0; i < scores.size(); ++i) {
    last[{scores[i].item, scores[i].reviewer, scores[i].criterion}] = i;
  }
  std::vector<ReviewScore> out;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (last[{scores[i].item, scores[i].reviewer, scores[i].criterion}] == i) {
      out.push_back(scores[i]);
    }
  }
  return out;
}

std::vector<ReviewScore> ReadScoresCsv(std::istream& in, const std::string& source,
                                       const ReviewConfig& config, const AssignmentPlan& plan) {
  bench::CsvTableReader reader(in, source, bench::kCsvDialect);
  CheckHeader(reader.header(), source, reader.line());
  std::vector<ReviewScore> scores;
  nlohmann::ordered_json row;
  while (reader.Next(row)) {
    auto fail = [&](const std::string& field, const std::string& problem) {
      throw InputError(fmt::format("{}:{}: {}: {}", source, reader.line(), field, problem));
    };
    std::string score_text = Trim(row["score"].get<std::string>());
    if (score_text.empty()) continue;
    ReviewScore s;
    std::string item_text = Trim(row["item"].get<std::string>());
    s.item = config.FindItem(item_text) ? item_text : plan.ItemForBlindCode(item_text);
    if (s.item.empty()) s.item = item_text;
    s.reviewer = Trim(row["reviewer"].get<std::string>());
    s.criterion = Trim(row["criterion"].get<std::string>());
    const char* end = score_text.data() + score_text.size();
    auto [ptr, ec] = std::from_chars(score_text.data(), end, s.score);
    if (ec != std::errc() || ptr != end) {
      fail("score", fmt::format("expected an integer from {} to {}, got '{}'", kMinScore, kMaxScore,
                                score_text));
    }
    if (row.contains("tstamp")) {
      std::string t = Trim(row["tstamp"].get<std::string>());
      if (!t.empty()) {
        char* t_end = nullptr;
        s.tstamp = std::strtod(t.c_str(), &t_end);
        if (t_end != t.c_str() + t.size() || !std::isfinite(s.tstamp)) {
          fail("tstamp", fmt::format("expected seconds since the epoch, got '{}'", t));
        }
      }
    }
    if (auto problem = CheckScore(config, plan, s)) {
      std::string message = problem->message;
      if (problem->field == "item") message = fmt::format("unknown item '{}'", item_text);
      fail(problem->field, message);
    }
    scores.push_back(std::move(s));
  }
  return KeepLastScores(scores);
}

std::vector<ReviewScore> ReadScoresCsvFile(const std::filesystem::path& path,
                                           const ReviewConfig& config, const AssignmentPlan& plan) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open the score file", path.string()));
  return ReadScoresCsv(in, path.string(), config, plan);
}

void WriteScoresCsv(std::ostream& out, const std::vector<ReviewScore>& scores) {
  WriteRow(out, "item", "reviewer", "criterion", "score");
  for (const auto& s : scores) {
    WriteRow(out, s.item, s.reviewer, s.criterion, std::to_string(s.score));
  }
}

void WriteReviewerSheetCsv(std::ostream& out, const ReviewConfig& config,
                           const AssignmentPlan& plan, const std::string& reviewer_id) {
  WriteRow(out, "item", "reviewer", "criterion", "score");
  for (const AssignedItem& item : ItemsForReviewer(config, plan, reviewer_id)) {
    for (const auto& c : config.FindPanel(item.panel)->criteria) {
      WriteRow(out, item.blind_code, reviewer_id, c.id, "");
    }
  }
}

ReviewTotals CombineCriteria(const ReviewConfig& config, const std::vector<ReviewScore>& scores) {
  // (item, reviewer) -> criterion -> score, after the last-one-wins rule.
  std::map<std::pair<std::string, std::string>, std::map<std::string, int>> reviews;
  for (const auto& s : KeepLastScores(scores)) reviews[{s.item, s.reviewer}][s.criterion] = s.score;
  ReviewTotals totals;
  for (const auto& item : config.items) {
    const ReviewPanel& panel = *config.FindPanel(item.panel);
    for (const auto& reviewer : config.reviewers) {
      auto found = reviews.find({item.id, reviewer.id});
      if (found == reviews.end()) continue;
      ReviewTotal total{item.id, reviewer.id, 0, 0};
      double weight = 0;
      for (const auto& c : panel.criteria) {
        auto score = found->second.find(c.id);
        if (score == found->second.end()) continue;
        total.score += c.weight * score->second;
        weight += c.weight;
        ++total.criteria_scored;
      }
      if (total.criteria_scored == 0) continue;
      total.score /= weight;
      bool complete = total.criteria_scored == static_cast<int>(panel.criteria.size());
      (complete ? totals.complete : totals.incomplete).push_back(total);
    }
  }
  return totals;
}

std::vector<ItemScore> ItemScores(const ReviewConfig& config, const ReviewTotals& totals) {
  std::vector<ItemScore> out;
  for (const auto& item : config.items) {
    ItemScore s{item.id, 0, 0};
    for (const auto& t : totals.complete) {
      if (t.item != item.id) continue;
      s.score += t.score;
      ++s.reviews;
    }
    if (s.reviews == 0) continue;
    s.score /= s.reviews;
    out.push_back(s);
  }
  return out;
}

Ratings PanelRatings(const ReviewConfig& config, const std::vector<ReviewTotal>& complete,
                     const std::string& panel) {
  Ratings ratings;
  std::map<std::string, uint32_t> unit_index;
  std::map<std::string, uint32_t> rater_index;
  for (const auto& item : config.items) {
    if (item.panel != panel) continue;
    for (const auto& t : complete) {
      if (t.item != item.id) continue;
      unit_index.emplace(item.id, static_cast<uint32_t>(ratings.units.size()));
      ratings.units.push_back(item.id);
      break;
    }
  }
  for (const auto& reviewer : config.reviewers) {
    for (const auto& t : complete) {
      if (t.reviewer != reviewer.id || !unit_index.count(t.item)) continue;
      rater_index.emplace(reviewer.id, static_cast<uint32_t>(ratings.raters.size()));
      ratings.raters.push_back(reviewer.id);
      break;
    }
  }
  for (const auto& t : complete) {
    auto unit = unit_index.find(t.item);
    if (unit == unit_index.end()) continue;
    ratings.values.push_back({unit->second, rater_index.at(t.reviewer), t.score});
  }
  return ratings;
}

}  // namespace kaieval::review

// Review scores: one number per (item, reviewer, criterion), their CSV import and export, and
// the combination of a review's criteria into one score. Used by the review page, the CSV
// import of `kaieval stage` and the panel summaries.
#pragma once

#include <filesystem>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "kaieval/review/assignment.h"
#include "kaieval/review/panel.h"
#include "kaieval/review/ratings.h"

namespace kaieval::review {

struct ReviewScore {
  std::string item;  // item id (never the blind code once read)
  std::string reviewer;
  std::string criterion;
  int score = 0;      // kMinScore..kMaxScore
  double tstamp = 0;  // seconds since the epoch when known, else 0
};

// What is wrong with a score, for the caller to place (a CSV line, a form field).
struct ScoreProblem {
  std::string field;  // item, reviewer, criterion or score
  std::string message;
};

// Checks a score against the config and the plan: known item, reviewer and criterion of the
// item's panel, score in range, reviewer assigned to the item. nullopt when it is fine.
std::optional<ScoreProblem> CheckScore(const ReviewConfig& config, const AssignmentPlan& plan,
                                       const ReviewScore& score);

// One score per (item, reviewer, criterion): a later entry replaces an earlier one, so a
// reviewer corrects a score by entering it again and a re-import overrides what it repeats.
// The survivors keep the order of their last appearance.
std::vector<ReviewScore> KeepLastScores(const std::vector<ReviewScore>& scores);

// Reads CSV (RFC 4180, UTF-8) with a header naming the columns item, reviewer, criterion, score
// and optionally tstamp, in any order. `item` is an item id or its blind code. A row with an
// empty score is skipped (a sheet not filled in yet). Every row is checked with CheckScore;
// the first problem throws InputError "<source>:<line>: <field>: <problem>". Returns
// KeepLastScores of the rows.
std::vector<ReviewScore> ReadScoresCsv(std::istream& in, const std::string& source,
                                       const ReviewConfig& config, const AssignmentPlan& plan);
std::vector<ReviewScore> ReadScoresCsvFile(const std::filesystem::path& path,
                                           const ReviewConfig& config, const AssignmentPlan& plan);

// Writes the header item,reviewer,criterion,score and one row per score, quoting as RFC 4180
// requires. ReadScoresCsv reads it back (tstamp is not exported).
void WriteScoresCsv(std::ostream& out, const std::vector<ReviewScore>& scores);

// A blank score sheet for one reviewer: a row per assigned item (by blind code) and criterion,
// with the score empty. Filled in and imported with ReadScoresCsv.
void WriteReviewerSheetCsv(std::ostream& out, const ReviewConfig& config,
                           const AssignmentPlan& plan, const std::string& reviewer_id);

// A review: one reviewer's weighted mean of the criteria of one item,
// sum(weight * score) / sum(weight) over the panel's criteria.
struct ReviewTotal {
  std::string item;
  std::string reviewer;
  double score = 0;         // over the criteria scored so far when incomplete
  int criteria_scored = 0;  // of the panel's criteria
};

struct ReviewTotals {
  std::vector<ReviewTotal> complete;    // every criterion scored
  std::vector<ReviewTotal> incomplete;  // left out of item scores, listed for follow-up
};

// Combines KeepLastScores(scores) per review, in config order of items then reviewers.
ReviewTotals CombineCriteria(const ReviewConfig& config, const std::vector<ReviewScore>& scores);

// The item score: the mean of its complete reviews, which equals the weighted mean of its
// criteria's mean scores. Items without a complete review are left out.
struct ItemScore {
  std::string item;
  double score = 0;
  int reviews = 0;
};
std::vector<ItemScore> ItemScores(const ReviewConfig& config, const ReviewTotals& totals);

// The complete reviews of one panel as ratings: units are its items with a complete review
// (config order), raters the reviewers with one (config order).
Ratings PanelRatings(const ReviewConfig& config, const std::vector<ReviewTotal>& complete,
                     const std::string& panel);

}  // namespace kaieval::review

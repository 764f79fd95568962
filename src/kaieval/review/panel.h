// ReviewConfig: the expert-evaluation part of a stage config (its `review:` section): panels
// with their rubric criteria, the reviewers and their declared affiliations, and the items to
// review. Read by the stage loader; used by assignment, score import and the panel summaries.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace kaieval::review {

inline constexpr int kMinScore = 1;
inline constexpr int kMaxScore = 10;

// One rubric criterion, scored kMinScore..kMaxScore. Anchors describe what a score means; the
// two ends are required so that every reviewer reads the scale the same way.
struct Criterion {
  std::string id;
  std::string name;
  double weight = 1;
  std::map<int, std::string> anchors;  // score -> description
};

struct ReviewPanel {
  std::string name;
  std::vector<Criterion> criteria;
  int reviews_per_item = 3;  // k: distinct reviewers per item
  int line = 0;              // in the config, for errors found later

  const Criterion* FindCriterion(const std::string& id) const;
  double TotalWeight() const;
};

struct Reviewer {
  std::string id;
  std::string name;
  // Organisations and teams the reviewer works for or with. Declared, possibly empty, but the
  // key must be present: an undeclared conflict of interest must not pass silently.
  std::vector<std::string> affiliations;
  std::vector<std::string> panels;  // the panels the reviewer serves on; empty = every panel
  int line = 0;

  bool ServesOn(const std::string& panel) const;
};

enum class ItemKind { kReport, kTrainingLog, kOutput };

// "report", "training_log", "output".
const char* ItemKindName(ItemKind kind);

// Something one team submitted, scored by k reviewers of one panel.
struct ReviewItem {
  std::string id;
  std::string team;  // a team name of the stage config
  std::string panel;
  ItemKind kind = ItemKind::kReport;
  std::string title;    // shown to reviewers; must not name the team
  std::string content;  // a file (resolved against the config's folder) or a URL; may be empty
  int line = 0;
};

struct ReviewConfig {
  std::filesystem::path origin;  // the config file, for error messages
  std::vector<ReviewPanel> panels;
  std::vector<Reviewer> reviewers;
  std::vector<ReviewItem> items;

  // nullptr when absent.
  const ReviewPanel* FindPanel(const std::string& name) const;
  const Reviewer* FindReviewer(const std::string& id) const;
  const ReviewItem* FindItem(const std::string& id) const;

  // "<origin>:<line>: <field>: " for messages about something found after loading.
  std::string Where(int line, const std::string& field) const;
};

// Reads and checks the `review:` section `node` of the config file `origin`: known keys only,
// unique panel names, criterion ids (per panel), reviewer ids and item ids; weights > 0;
// anchors on scores 1..10 including 1 and 10; known panels for items and reviewers; k at most
// the panel's reviewers. Throws InputError "<origin>:<line>: review.<field>: <problem>".
ReviewConfig LoadReviewConfig(const YAML::Node& node, const std::filesystem::path& origin);

}  // namespace kaieval::review

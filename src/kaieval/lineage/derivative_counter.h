// DerivativeCounter: per root model, the derivatives others built on it (direct and transitive,
// by inferred relation), and the anti-gaming adjustments from the raw count to the adjusted
// third-party count, every exclusion with its reason. Called by `kaieval lineage count` and by
// the stage subsystem through CountDerivatives.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kaieval/lineage/lineage_graph.h"
#include "kaieval/lineage/relation.h"

namespace kaieval::lineage {

// The anti-gaming rules, in the order they are applied. Each can be switched off for audit.
enum class Rule : uint8_t { kAffiliated, kEmpty, kNearDuplicate, kFarm };
inline constexpr size_t kRuleCount = 4;
std::string_view RuleName(Rule rule);  // "affiliated", "empty", "near_duplicate", "farm"
// Parses a comma-separated list of rule names ("farm,near_duplicate"); InputError naming `field`.
std::array<bool, kRuleCount> ParseDisabledRules(const std::string& list, const std::string& field);

enum class ExclusionReason : uint8_t {
  kNone,
  kAffiliated,     // uploaded by the root's organisation or a declared affiliated account
  kNoWeightFiles,  // the repo's file list has no weight file
  kZeroDownloads,  // no downloads and older than CountOptions::empty_age_days
  kNearDuplicate,  // the same weight files (sizes or sha256) as an earlier model
  kFarm,           // beyond the cap of an uploader holding too large a share
};
// "affiliated", "no_weight_files", "zero_downloads", "near_duplicate", "farm"; "" for kNone.
std::string_view ExclusionName(ExclusionReason reason);

struct CountOptions {
  std::vector<std::string> affiliated;  // accounts affiliated with every root
  // Accounts affiliated with one root, keyed by the root id (compared case-insensitively).
  std::map<std::string, std::vector<std::string>> affiliated_by_root;
  std::array<bool, kRuleCount> disabled{};  // indexed by Rule
  int32_t since_day = kUnknownDay;          // creation window, inclusive; unknown = open
  int32_t until_day = kUnknownDay;
  int32_t as_of_day = kUnknownDay;  // "today" for the age rule; unknown: the snapshot's latest day
  int empty_age_days = 90;          // zero-download repos older than this are empty
  double farm_share = 0.2;          // an uploader above this share of a root's count is capped
  size_t farm_min_models = 5;       // ... if it has more than this many models there
  int max_depth = 0;                // derivatives deeper than this are not counted; 0 = all
  size_t tree_nodes = 300;          // the tree for plots holds at most this many nodes
};

// Counts over one set of derivatives.
struct Tally {
  std::array<size_t, kRelationCount> direct{};      // by inferred relation; depth 1
  std::array<size_t, kRelationCount> transitive{};  // by inferred relation; every depth
  size_t direct_total = 0;
  size_t transitive_total = 0;
  size_t uploaders = 0;                  // distinct
  uint64_t downloads = 0;                // sum of the known 30-day figures
  uint64_t downloads_all_time = 0;       // sum of the known all-time figures
  uint64_t downloads_non_quantized = 0;  // 30-day, without quantized repos (GGUF double counting)
  size_t created_in_window = 0;          // created within [since, until]
};

struct AdjustmentStep {
  Rule rule;
  bool disabled = false;
  size_t removed = 0;
  size_t remaining = 0;  // third-party derivatives left after this step
  std::string reason;    // what the step removed and why, in one sentence
};

struct ExcludedModel {
  std::string id;
  ExclusionReason reason = ExclusionReason::kNone;
  std::string detail;  // "same weight files as ORG/NAME", "uploader X: 40 of 120 (33%) ..."
};

struct FarmFlag {
  std::string uploader;
  size_t models = 0;    // this uploader's derivatives that reached the farm rule
  size_t of_total = 0;  // all derivatives that reached the farm rule
  size_t counted = 0;   // the cap: how many of them still count
};

struct RelationDisagreement {
  Relation declared;
  Relation inferred;
  size_t models = 0;
};

struct TreeNode {
  std::string id;
  Relation inferred = Relation::kNone;  // kNone for the root
  Relation declared = Relation::kNone;
  int64_t downloads = -1;  // -1 unknown
  std::string uploader;
  int depth = 0;
  ExclusionReason excluded = ExclusionReason::kNone;
};

struct DerivativeTree {
  std::vector<TreeNode> nodes;                       // nodes[0] is the root
  std::vector<std::pair<uint32_t, uint32_t>> edges;  // (parent, child) indices into nodes
  bool capped = false;
  size_t total_nodes = 0;  // the root and all its derivatives
};

struct RootCount {
  std::string root;     // as given
  bool found = false;   // the snapshot has the root's record or a derivative of it
  Tally raw;            // every derivative
  Tally affiliated;     // the part uploaded by the root's organisation and affiliated accounts
  Tally adjusted;       // third-party derivatives that pass every enabled rule
  size_t headline = 0;  // adjusted.transitive_total
  std::vector<AdjustmentStep> steps;  // raw -> adjusted
  std::vector<ExcludedModel> exclusions;
  std::vector<FarmFlag> farms;
  size_t relation_disagreements = 0;  // declared label present and not the inferred relation
  std::vector<RelationDisagreement> disagreements;
  int max_depth = 0;
  DerivativeTree tree;
};

// Counts the derivatives of each root (ids as on the Hub) in `graph`. `as_of` defaults to the
// snapshot's latest creation day when options.as_of_day is unknown.
std::vector<RootCount> CountRoots(const LineageGraph& graph, int32_t snapshot_latest_day,
                                  const std::vector<std::string>& roots,
                                  const CountOptions& options);

struct DerivativeCounts {
  SnapshotInfo snapshot;
  size_t models = 0;  // nodes in the graph, including bases without a record
  size_t edges = 0;
  size_t cycles_broken = 0;
  size_t self_references = 0;
  int32_t as_of_day = kUnknownDay;
  std::vector<RootCount> roots;
};

// Reads the snapshot at `path` and counts every root: the entry point for the stage subsystem.
// Throws InputError when the snapshot cannot be read or a root is not a model id.
DerivativeCounts CountDerivatives(const std::string& path, const std::vector<std::string>& roots,
                                  const CountOptions& options = {});

}  // namespace kaieval::lineage

#include "kaieval/lineage/derivative_counter.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <unordered_map>

#include "kaieval/common/error.h"
#include "kaieval/lineage/derivative_tree.h"
#include "kaieval/lineage/model_id.h"

namespace kaieval::lineage {
namespace {

// Derivatives of `root` breadth-first (each once, at its shortest depth), by node index.
std::vector<Derivative> Collect(const LineageGraph& graph, uint32_t root, int max_depth,
                                std::vector<uint32_t>& seen, uint32_t stamp) {
  std::vector<Derivative> out;
  seen[root] = stamp;
  std::vector<uint32_t> frontier{root}, next;
  for (int depth = 1; !frontier.empty() && (max_depth <= 0 || depth <= max_depth); ++depth) {
    next.clear();
    for (uint32_t u : frontier) {
      for (uint32_t v : graph.children(u)) {
        if (seen[v] == stamp) continue;
        seen[v] = stamp;
        next.push_back(v);
        out.push_back({v, depth});
      }
    }
    std::swap(frontier, next);
  }
  return out;
}

std::string Percent(size_t part, size_t whole) {
  return whole == 0 ? "0%" : fmt::format("{:.0f}%", 100.0 * part / whole);
}
std::string Percent(double share) { return fmt::format("{:g}%", 100.0 * share); }

bool IsAffiliated(const LineageGraph& graph, uint32_t node, std::string_view root,
                  const std::vector<std::string>& accounts) {
  const std::string_view uploader = graph.uploader(node);
  if (SameId(uploader, ModelOrg(root)) || SameId(ModelOrg(graph.id(node)), ModelOrg(root))) {
    return true;
  }
  for (const auto& a : accounts) {
    if (SameId(uploader, a) || SameId(ModelOrg(graph.id(node)), a)) return true;
  }
  return false;
}

Tally MakeTally(const LineageGraph& graph, const std::vector<Derivative>& derivatives,
                const std::vector<bool>& include, const CountOptions& options) {
  Tally t;
  std::vector<uint32_t> uploaders;
  for (size_t i = 0; i < derivatives.size(); ++i) {
    if (!include[i]) continue;
    const Derivative& d = derivatives[i];
    const ModelNode& n = graph.node(d.node);
    const size_t r = static_cast<size_t>(n.inferred);
    ++t.transitive[r];
    ++t.transitive_total;
    if (d.depth == 1) {
      ++t.direct[r];
      ++t.direct_total;
    }
    uploaders.push_back(n.uploader);
    if (n.downloads != kUnknownCount) {
      t.downloads += n.downloads;
      if (n.inferred != Relation::kQuantized) t.downloads_non_quantized += n.downloads;
    }
    if (n.downloads_all_time != kUnknownCount) t.downloads_all_time += n.downloads_all_time;
    if (n.created_day != kUnknownDay &&
        (options.since_day == kUnknownDay || n.created_day >= options.since_day) &&
        (options.until_day == kUnknownDay || n.created_day <= options.until_day)) {
      ++t.created_in_window;
    }
  }
  std::sort(uploaders.begin(), uploaders.end());
  t.uploaders =
      static_cast<size_t>(std::unique(uploaders.begin(), uploaders.end()) - uploaders.begin());
  return t;
}

// Marks the derivatives the rules exclude, records why, and returns the steps.
class Adjuster {
 public:
  Adjuster(const LineageGraph& graph, std::vector<Derivative>& derivatives, RootCount& out,
           const CountOptions& options)
      : graph_(graph), derivatives_(derivatives), out_(out), options_(options) {
    remaining_ = derivatives.size();
  }

  void Exclude(Derivative& d, ExclusionReason reason, std::string detail) {
    d.excluded = reason;
    --remaining_;
    out_.exclusions.push_back({std::string(graph_.id(d.node)), reason, std::move(detail)});
  }

  void Step(Rule rule, size_t removed, std::string reason) {
    const bool disabled = options_.disabled[static_cast<size_t>(rule)];
    if (disabled) reason = "switched off for audit: " + reason;
    out_.steps.push_back({rule, disabled, removed, remaining_, std::move(reason)});
  }

  void Affiliated(const std::vector<std::string>& accounts) {
    size_t removed = 0;
    if (!options_.disabled[static_cast<size_t>(Rule::kAffiliated)]) {
      for (auto& d : derivatives_) {
        if (IsAffiliated(graph_, d.node, out_.root, accounts)) {
          Exclude(d, ExclusionReason::kAffiliated,
                  fmt::format("uploaded by {}, affiliated with the root", graph_.uploader(d.node)));
          ++removed;
        }
      }
    }
    Step(Rule::kAffiliated, removed,
         fmt::format("uploads by {} and {} declared affiliated account(s) count separately, not as "
                     "third-party derivatives",
                     ModelOrg(out_.root), accounts.size()));
  }

  void Empty(int32_t as_of) {
    size_t no_weights = 0, unused = 0;
    const int32_t cutoff = as_of == kUnknownDay ? kUnknownDay : as_of - options_.empty_age_days;
    if (!options_.disabled[static_cast<size_t>(Rule::kEmpty)]) {
      for (auto& d : derivatives_) {
        if (d.excluded != ExclusionReason::kNone) continue;
        const ModelNode& n = graph_.node(d.node);
        if (n.has_file_list && !(n.flags & kHasWeights)) {
          Exclude(d, ExclusionReason::kNoWeightFiles, "the repo has no weight file");
          ++no_weights;
        } else if (n.downloads == 0 &&
                   (n.downloads_all_time == 0 || n.downloads_all_time == kUnknownCount) &&
                   cutoff != kUnknownDay && n.created_day != kUnknownDay &&
                   n.created_day < cutoff) {
          Exclude(d, ExclusionReason::kZeroDownloads,
                  fmt::format("no downloads, created {} ({} days or more before {})",
                              IsoDay(n.created_day), options_.empty_age_days, IsoDay(as_of)));
          ++unused;
        }
      }
    }
    Step(Rule::kEmpty, no_weights + unused,
         fmt::format("{} repo(s) without weight files and {} with no downloads older than {} days "
                     "are not derivatives",
                     no_weights, unused, options_.empty_age_days));
  }

  // The earliest model (by creation, then id) with a given fingerprint is the original; the
  // root and excluded derivatives take part, so a copy of the root's own files never counts.
  void NearDuplicates(std::optional<uint32_t> root) {
    size_t removed = 0;
    if (!options_.disabled[static_cast<size_t>(Rule::kNearDuplicate)]) {
      std::unordered_map<uint64_t, uint32_t> original;
      auto earlier = [&](uint32_t a, uint32_t b) {
        const int32_t da = graph_.node(a).created_day, db = graph_.node(b).created_day;
        if (da != db) return da != kUnknownDay && (db == kUnknownDay || da < db);
        return graph_.id(a) < graph_.id(b);
      };
      auto offer = [&](uint32_t node) {
        const uint64_t f = graph_.node(node).fingerprint;
        if (f == 0) return;
        auto [it, fresh] = original.emplace(f, node);
        if (!fresh && earlier(node, it->second)) it->second = node;
      };
      if (root && graph_.node(*root).present) offer(*root);
      for (const auto& d : derivatives_) offer(d.node);
      if (root && graph_.node(*root).present && graph_.node(*root).fingerprint != 0) {
        original[graph_.node(*root).fingerprint] = *root;  // the root is always the original
      }
      for (auto& d : derivatives_) {
        const uint64_t f = graph_.node(d.node).fingerprint;
        if (d.excluded != ExclusionReason::kNone || f == 0) continue;
        const uint32_t first = original.at(f);
        if (first == d.node) continue;
        Exclude(d, ExclusionReason::kNearDuplicate,
                fmt::format("same weight files as {}", graph_.id(first)));
        ++removed;
      }
    }
    Step(Rule::kNearDuplicate, removed,
         fmt::format("{} repo(s) with the same weight files (names and sizes, or LFS sha256) as "
                     "an earlier model are counted once",
                     removed));
  }

  void Farms() {
    size_t removed = 0;
    if (!options_.disabled[static_cast<size_t>(Rule::kFarm)]) {
      std::unordered_map<uint32_t, std::vector<Derivative*>> by_uploader;
      for (auto& d : derivatives_) {
        if (d.excluded == ExclusionReason::kNone)
          by_uploader[graph_.node(d.node).uploader].push_back(&d);
      }
      const size_t total = remaining_;
      const size_t cap = std::max<size_t>(
          1, static_cast<size_t>(options_.farm_share * static_cast<double>(total)));
      std::vector<std::pair<uint32_t, std::vector<Derivative*>*>> farms;
      for (auto& [uploader, models] : by_uploader) {
        if (models.size() > cap && models.size() > options_.farm_min_models) {
          farms.emplace_back(uploader, &models);
        }
      }
      std::sort(farms.begin(), farms.end(),
                [](const auto& a, const auto& b) { return a.second->size() > b.second->size(); });
      for (auto& [uploader, models] : farms) {
        // The most downloaded `cap` models still count (then the earliest, then by id).
        std::sort(models->begin(), models->end(), [&](const Derivative* a, const Derivative* b) {
          const ModelNode &na = graph_.node(a->node), &nb = graph_.node(b->node);
          const int64_t da = na.downloads == kUnknownCount ? -1 : na.downloads;
          const int64_t db = nb.downloads == kUnknownCount ? -1 : nb.downloads;
          if (da != db) return da > db;
          return graph_.id(a->node) < graph_.id(b->node);
        });
        const std::string name(graph_.uploader((*models)[0]->node));
        out_.farms.push_back({name, models->size(), total, cap});
        const std::string detail =
            fmt::format("uploader {}: {} of {} derivatives ({}), above the {} cap; {} counted",
                        name, models->size(), total, Percent(models->size(), total),
                        Percent(options_.farm_share), cap);
        for (size_t i = cap; i < models->size(); ++i) {
          Exclude(*(*models)[i], ExclusionReason::kFarm, detail);
          ++removed;
        }
      }
    }
    Step(Rule::kFarm, removed,
         fmt::format("{} upload(s) beyond the cap of {} uploader(s) holding more than {} of the "
                     "derivatives (and more than {}) are not counted",
                     removed, out_.farms.size(), Percent(options_.farm_share),
                     options_.farm_min_models));
  }

 private:
  const LineageGraph& graph_;
  std::vector<Derivative>& derivatives_;
  RootCount& out_;
  const CountOptions& options_;
  size_t remaining_ = 0;
};

}  // namespace

std::string_view RuleName(Rule rule) {
  static constexpr std::array<std::string_view, kRuleCount> kNames = {"affiliated", "empty",
                                                                      "near_duplicate", "farm"};
  return kNames[static_cast<size_t>(rule)];
}

std::array<bool, kRuleCount> ParseDisabledRules(const std::string& list, const std::string& field) {
  std::array<bool, kRuleCount> disabled{};
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    const std::string name = list.substr(start, comma - start);
    start = comma + 1;
    if (name.empty()) continue;
    bool known = false;
    for (size_t r = 0; r < kRuleCount; ++r) {
      if (name == RuleName(static_cast<Rule>(r))) disabled[r] = known = true;
    }
    if (!known) {
      throw InputError(
          fmt::format("{}: unknown rule '{}'; expected affiliated, empty, near_duplicate or farm",
                      field, name));
    }
  }
  return disabled;
}

std::string_view ExclusionName(ExclusionReason reason) {
  switch (reason) {
    case ExclusionReason::kAffiliated:
      return "affiliated";
    case ExclusionReason::kNoWeightFiles:
      return "no_weight_files";
    case ExclusionReason::kZeroDownloads:
      return "zero_downloads";
    case ExclusionReason::kNearDuplicate:
      return "near_duplicate";
    case ExclusionReason::kFarm:
      return "farm";
    default:
      return "";
  }
}

namespace {

// Counts one root. `seen` and `position` are scratch space of graph size, left as found.
RootCount CountRoot(const LineageGraph& graph, int32_t as_of, const std::string& root_id,
                    const CountOptions& options, std::vector<uint32_t>& seen, uint32_t stamp,
                    std::vector<uint32_t>& position) {
  RootCount count;
  count.root = root_id;
  const std::optional<uint32_t> root = graph.Find(count.root);
  std::vector<Derivative> derivatives;
  if (root) derivatives = Collect(graph, *root, options.max_depth, seen, stamp);
  count.found = root && (graph.node(*root).present || !derivatives.empty());
  const std::vector<bool> all(derivatives.size(), true);
  count.raw = MakeTally(graph, derivatives, all, options);

  std::vector<std::string> accounts = options.affiliated;
  for (const auto& [key, list] : options.affiliated_by_root) {
    if (SameId(key, count.root)) accounts.insert(accounts.end(), list.begin(), list.end());
  }
  Adjuster adjust(graph, derivatives, count, options);
  adjust.Affiliated(accounts);
  std::vector<bool> affiliated(derivatives.size());
  for (size_t i = 0; i < derivatives.size(); ++i) {
    affiliated[i] = derivatives[i].excluded == ExclusionReason::kAffiliated;
  }
  count.affiliated = MakeTally(graph, derivatives, affiliated, options);
  adjust.Empty(as_of);
  adjust.NearDuplicates(root);
  adjust.Farms();
  std::vector<bool> kept(derivatives.size());
  std::map<std::pair<Relation, Relation>, size_t> disagreements;
  for (size_t i = 0; i < derivatives.size(); ++i) {
    const ModelNode& n = graph.node(derivatives[i].node);
    kept[i] = derivatives[i].excluded == ExclusionReason::kNone;
    count.max_depth = std::max(count.max_depth, derivatives[i].depth);
    if (n.declared != Relation::kNone && n.declared != n.inferred) {
      ++count.relation_disagreements;
      ++disagreements[{n.declared, n.inferred}];
    }
  }
  for (const auto& [pair, models] : disagreements) {
    count.disagreements.push_back({pair.first, pair.second, models});
  }
  count.adjusted = MakeTally(graph, derivatives, kept, options);
  count.headline = count.adjusted.transitive_total;
  if (root) {
    for (size_t i = 0; i < derivatives.size(); ++i) position[derivatives[i].node] = uint32_t(i);
    count.tree = BuildTree(graph, *root, derivatives, position, options.tree_nodes);
    for (const auto& d : derivatives) position[d.node] = UINT32_MAX;
  }
  return count;
}

}  // namespace

// Roots are counted on two threads (the graph is only read), each with its own scratch space.
std::vector<RootCount> CountRoots(const LineageGraph& graph, int32_t snapshot_latest_day,
                                  const std::vector<std::string>& roots,
                                  const CountOptions& options) {
  std::vector<RootCount> out(roots.size());
  const int32_t as_of = options.as_of_day != kUnknownDay ? options.as_of_day : snapshot_latest_day;
  const size_t workers = roots.size() > 1 && std::thread::hardware_concurrency() > 1 ? 2 : 1;
  std::atomic<size_t> next{0};
  std::vector<std::exception_ptr> errors(workers);
  auto work = [&](size_t w) {
    try {
      std::vector<uint32_t> seen(graph.size(), 0), position(graph.size(), UINT32_MAX);
      for (size_t r = next++; r < roots.size(); r = next++) {
        out[r] = CountRoot(graph, as_of, roots[r], options, seen, static_cast<uint32_t>(r + 1),
                           position);
      }
    } catch (...) {
      errors[w] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return out;
}

DerivativeCounts CountDerivatives(const std::string& path, const std::vector<std::string>& roots,
                                  const CountOptions& options) {
  std::vector<std::string> ids;
  for (const auto& r : roots) {
    std::optional<std::string> id = NormaliseModelId(r);
    if (!id || id->find('/') == std::string::npos) {
      throw InputError(fmt::format("--root: '{}' is not a model id; expected ORG/NAME", r));
    }
    ids.push_back(std::move(*id));
  }
  LoadedGraph loaded = LoadLineageGraph(path);
  DerivativeCounts counts;
  counts.models = loaded.graph.size();
  counts.edges = loaded.graph.edge_count();
  counts.cycles_broken = loaded.graph.cycles_broken();
  counts.self_references = loaded.graph.self_references();
  counts.as_of_day =
      options.as_of_day != kUnknownDay ? options.as_of_day : loaded.snapshot.latest_day;
  counts.roots = CountRoots(loaded.graph, loaded.snapshot.latest_day, ids, options);
  counts.snapshot = std::move(loaded.snapshot);
  return counts;
}

}  // namespace kaieval::lineage

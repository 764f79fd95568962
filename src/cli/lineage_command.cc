// `kaieval lineage count|crawl|generate`: derivative counts per root model from a Hub snapshot
// (a table of raw -> adjusted with the reason for every step, or JSON), the Hub crawl that
// writes such snapshots, and a synthetic snapshot generator. docs/lineage.md.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "kaieval/common/error.h"
#include "kaieval/lineage/hub_crawler.h"
#include "kaieval/lineage/lineage_json.h"
#include "kaieval/lineage/model_id.h"
#include "kaieval/lineage/snapshot_generator.h"

namespace kaieval::cli {
namespace {

using namespace kaieval::lineage;

struct CountArgs {
  std::string snapshot;
  std::vector<std::string> roots;
  std::vector<std::string> affiliated;
  std::string since, until, as_of, disable;
  int empty_age_days = 90;
  double farm_share = 0.2;
  size_t farm_min_models = 5;
  int depth = 0;
  size_t tree_nodes = 300;
  bool json = false;
};

int32_t Day(const std::string& text, const char* field) {
  if (text.empty()) return kUnknownDay;
  std::optional<int32_t> day = ParseIsoDay(text);
  if (!day || text.size() != 10) {
    throw InputError(fmt::format("{}: '{}'; expected a date YYYY-MM-DD", field, text));
  }
  return *day;
}

CountOptions MakeOptions(const CountArgs& args) {
  CountOptions o;
  for (const auto& a : args.affiliated) {
    const size_t eq = a.find('=');
    if (eq == std::string::npos) {
      o.affiliated.push_back(a);
    } else if (!NormaliseModelId(a.substr(0, eq)) || eq + 1 == a.size()) {
      throw InputError(fmt::format("--affiliated: '{}'; expected ACCOUNT or ORG/NAME=ACCOUNT", a));
    } else {
      o.affiliated_by_root[*NormaliseModelId(a.substr(0, eq))].push_back(a.substr(eq + 1));
    }
  }
  o.disabled = ParseDisabledRules(args.disable, "--disable");
  o.since_day = Day(args.since, "--since");
  o.until_day = Day(args.until, "--until");
  o.as_of_day = Day(args.as_of, "--as-of");
  if (args.empty_age_days < 0) throw InputError("--empty-age-days: expected 0 or more");
  if (!(args.farm_share > 0 && args.farm_share <= 1)) {
    throw InputError("--farm-share: expected a share in (0, 1]");
  }
  if (args.depth < 0) throw InputError("--depth: expected 0 (all) or more");
  o.empty_age_days = args.empty_age_days;
  o.farm_share = args.farm_share;
  o.farm_min_models = args.farm_min_models;
  o.max_depth = args.depth;
  o.tree_nodes = std::max<size_t>(1, args.tree_nodes);
  return o;
}

std::string ByRelation(const std::array<size_t, kRelationCount>& counts) {
  std::string out;
  for (size_t r = 1; r < kRelationCount; ++r) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", RelationName(Relation(r)), counts[r]);
  }
  return out;
}

void PrintRoot(const RootCount& c) {
  std::printf("\n%s%s\n", c.root.c_str(), c.found ? "" : "  (not in the snapshot)");
  std::printf("  %-26s %9zu   (direct %zu)\n", "raw derivatives", c.raw.transitive_total,
              c.raw.direct_total);
  for (const auto& s : c.steps) {
    std::printf("  %-26s %9s   -> %zu  %s\n", fmt::format("- {}", RuleName(s.rule)).c_str(),
                fmt::format("-{}", s.removed).c_str(), s.remaining, s.reason.c_str());
  }
  std::printf("  %-26s %9zu   (direct %zu)\n", "= adjusted third-party", c.headline,
              c.adjusted.direct_total);
  std::printf("  adjusted by relation: %s\n", ByRelation(c.adjusted.transitive).c_str());
  std::printf(
      "  affiliated (separate): %zu; uploaders: %zu; downloads: %llu 30-day "
      "(%llu without quantized), %llu all time; created in window: %zu; depth %d\n",
      c.affiliated.transitive_total, c.adjusted.uploaders,
      static_cast<unsigned long long>(c.adjusted.downloads),
      static_cast<unsigned long long>(c.adjusted.downloads_non_quantized),
      static_cast<unsigned long long>(c.adjusted.downloads_all_time), c.adjusted.created_in_window,
      c.max_depth);
  std::string pairs;
  for (const auto& d : c.disagreements) {
    pairs += fmt::format("{}{} labelled {} but {}", pairs.empty() ? "" : ", ", d.models,
                         RelationName(d.declared), RelationName(d.inferred));
  }
  std::printf("  declared vs inferred relation: %zu disagree%s%s\n", c.relation_disagreements,
              pairs.empty() ? "" : ": ", pairs.c_str());
  for (const auto& f : c.farms) {
    std::printf("  farm flagged: %s, %zu of %zu derivatives, %zu counted\n", f.uploader.c_str(),
                f.models, f.of_total, f.counted);
  }
}

void Count(const CountArgs& args) {
  const CountOptions options = MakeOptions(args);
  const DerivativeCounts counts = CountDerivatives(args.snapshot, args.roots, options);
  const SnapshotInfo& s = counts.snapshot;
  for (const auto& p : s.problems) {
    if (&p - s.problems.data() >= 20) break;
    spdlog::warn("{}:{}: {}", s.path, p.line, p.message);
  }
  if (s.problem_count > 20) spdlog::warn("{} more problems (all in --json)", s.problem_count - 20);
  if (args.json) {
    std::printf("%s\n", DerivativeCountsJson(counts, options).dump(2).c_str());
    return;
  }
  std::printf(
      "snapshot %s (content %s): %zu records, %zu lines skipped, %zu problems; "
      "%zu models, %zu edges, %zu cycles broken; as of %s\n",
      s.path.c_str(), s.content_hash.c_str(), s.records, s.skipped, s.problem_count, counts.models,
      counts.edges, counts.cycles_broken, IsoDay(counts.as_of_day).c_str());
  for (const auto& c : counts.roots) PrintRoot(c);
}

void AddCount(CLI::App& lineage) {
  auto args = std::make_shared<CountArgs>();
  CLI::App* count = lineage.add_subcommand(
      "count", "Derivatives of each root in a snapshot: raw -> adjusted third-party count");
  count->add_option("snapshot", args->snapshot, "Hub snapshot (JSONL of ModelInfo)")->required();
  count->add_option("--root", args->roots, "Root model ORG/NAME (repeat)")->required();
  count->add_option("--affiliated", args->affiliated,
                    "ACCOUNT affiliated with every root, or ORG/NAME=ACCOUNT for one (repeat)");
  count->add_option("--since", args->since, "Window start YYYY-MM-DD (created_in_window)");
  count->add_option("--until", args->until, "Window end YYYY-MM-DD, inclusive");
  count->add_option("--as-of", args->as_of,
                    "Day the age rule counts from (default: latest createdAt in the snapshot)");
  count->add_option("--disable", args->disable,
                    "Rules to switch off for audit: affiliated,empty,near_duplicate,farm");
  count
      ->add_option("--empty-age-days", args->empty_age_days,
                   "Zero-download repos older than this are empty")
      ->capture_default_str();
  count
      ->add_option("--farm-share", args->farm_share,
                   "Cap on one uploader's share of a root's derivatives")
      ->capture_default_str();
  count
      ->add_option("--farm-min-models", args->farm_min_models,
                   "An uploader needs more models than this to be a farm")
      ->capture_default_str();
  count->add_option("--depth", args->depth, "Count derivatives to this depth (0 = all)")
      ->capture_default_str();
  count->add_option("--tree-nodes", args->tree_nodes, "Nodes of the plotted tree per root")
      ->capture_default_str();
  count->add_flag("--json", args->json, "Print JSON (docs/lineage.md)");
  count->callback([args] { Count(*args); });
}

void AddGenerate(CLI::App& lineage) {
  auto options = std::make_shared<GeneratorOptions>();
  auto out = std::make_shared<std::string>();
  CLI::App* generate = lineage.add_subcommand("generate", "Write a synthetic Hub snapshot");
  generate->add_option("--models", options->models, "Records, roots included")
      ->capture_default_str();
  generate->add_option("--roots", options->root_count, "Root models")->capture_default_str();
  generate->add_option("--root", options->roots, "Ids of the first roots, ORG/NAME (repeat)");
  generate->add_option("--seed", options->seed, "Random seed")->capture_default_str();
  generate->add_option("--out", *out, "Snapshot file to write")->required();
  generate->callback([options, out] {
    if (options->roots.size() > options->root_count) options->root_count = options->roots.size();
    std::ofstream file(*out, std::ios::binary | std::ios::trunc);
    if (!file) throw InputError(fmt::format("--out: cannot write {}", *out));
    const GeneratorSummary s = GenerateSnapshot(*options, file);
    file.close();
    if (!file) throw InputError(fmt::format("--out: cannot write {}", *out));
    spdlog::info(
        "{}: {} models ({} quantized, {} labelled finetune; {} farm uploads, {} duplicates, "
        "{} affiliated, {} without weights, {} unused; depth {})",
        *out, s.models, s.quantized, s.mislabelled, s.farm_uploads, s.duplicates, s.affiliated,
        s.no_weights, s.unused_old, s.max_depth);
  });
}

void AddCrawl(CLI::App& lineage) {
  auto options = std::make_shared<CrawlOptions>();
  CLI::App* crawl = lineage.add_subcommand(
      "crawl", "Crawl the Hub breadth-first from root models into a snapshot (resumable)");
  crawl->add_option("--root", options->roots, "Root model ORG/NAME (repeat)")->required();
  crawl->add_option("--out", options->snapshot, "Snapshot file (appended; resumed when present)")
      ->required();
  crawl->add_option("--depth", options->depth, "Levels of derivatives to follow")
      ->capture_default_str();
  crawl->add_option("--base-url", options->base_url, "Hub base URL")->capture_default_str();
  crawl->add_option("--page-size", options->page_size, "Models per page (limit=)")
      ->capture_default_str();
  crawl->add_option("--retries", options->max_retries, "Retries of a failing request")
      ->capture_default_str();
  crawl
      ->add_option("--max-wait", options->max_wait_seconds, "Longest back-off after a 429, seconds")
      ->capture_default_str();
  crawl->add_flag("--quiet", options->quiet, "No progress messages");
  crawl->callback([options] {
    if (const char* token = std::getenv("HF_TOKEN")) options->token = token;
    const CrawlSummary s = CrawlHub(*options);
    spdlog::info("{}: {} models ({} new), {} requests, {} rate-limited, {} queries resumed as done",
                 options->snapshot, s.models, s.new_models, s.requests, s.rate_limited,
                 s.resumed_queries);
  });
}

}  // namespace

void RegisterLineageCommand(CLI::App& app) {
  CLI::App* lineage = app.add_subcommand(
      "lineage", "Derivative models on the Hub: crawl, count with anti-gaming, generate");
  lineage->require_subcommand(1);
  AddCount(*lineage);
  AddCrawl(*lineage);
  AddGenerate(*lineage);
}

}  // namespace kaieval::cli

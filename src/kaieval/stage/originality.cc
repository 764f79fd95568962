#include "kaieval/stage/originality.h"

#include <fmt/format.h>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"

namespace kaieval::stage {
namespace {

using nlohmann::ordered_json;

// What the stage report keeps of an origin report: everything but the per-tensor lists, which
// stay in the hashed file.
ordered_json Trimmed(const ordered_json& origin) {
  ordered_json out = ordered_json::object();
  for (const char* key : {"candidate", "verdict", "derived", "null", "components"}) {
    if (origin.contains(key)) out[key] = origin[key];
  }
  out["references"] = ordered_json::array();
  for (const auto& r : origin.value("references", ordered_json::array())) {
    ordered_json ref = ordered_json::object();
    for (const char* key : {"reference", "verdict", "compared_fraction", "components", "heatmap", "vocabulary"}) {
      if (r.contains(key)) ref[key] = r[key];
    }
    out["references"].push_back(ref);
  }
  return out;
}

}  // namespace

OriginalityEvidence ReadOriginality(const StageConfig& config) {
  OriginalityEvidence out;
  for (const auto& team : config.teams) {
    ordered_json row = {{"team", team.name}, {"gate", nullptr}, {"source", nullptr}};
    for (const auto& [name, verdict] : config.originality_verdicts) {
      if (name == team.name) {
        row["gate"] = verdict;
        row["source"] = "recorded";
      }
    }
    for (const auto& [name, path] : config.originality_reports) {
      if (name != team.name) continue;
      const std::string field = fmt::format("{}: gates.originality.reports.{}", config.path.string(), name);
      ordered_json origin = ordered_json::parse(ReadFileBytes(path), nullptr, false);
      if (origin.is_discarded() || !origin.is_object() || origin.value("kind", "") != "kaieval-origin-report") {
        throw InputError(fmt::format("{}: {} is not a kaieval origin report (kaieval origin compare --json)", field, path));
      }
      const std::string verdict = origin.value("verdict", "");
      if (verdict != "original" && verdict != "derived" && verdict != "inconclusive") {
        throw InputError(fmt::format("{}: {}: verdict '{}' (expected original, derived or inconclusive)", field, path, verdict));
      }
      const std::string gate = verdict == "derived" ? "fail" : "pass";
      out.verdicts.emplace_back(name, gate);
      out.sources.push_back(path);
      if (verdict == "inconclusive") {
        out.notes.push_back(fmt::format("originality: {} is inconclusive ({}): the gate passes, the committee should look", name, path));
      }
      row["gate"] = gate;
      row["source"] = "report";
      row["file"] = path;
      row["evidence"] = Trimmed(origin);
    }
    for (const auto& o : config.overrides) {
      if (o.team == team.name && o.gate == "originality") {
        row["gate"] = o.decision;
        row["source"] = "override";
        row["override_reason"] = o.reason;
      }
    }
    out.report.push_back(row);
  }
  return out;
}

}  // namespace kaieval::stage

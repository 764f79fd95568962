#include "cli/results_table.h"

#include <fmt/format.h>

namespace kaieval::cli {
namespace {

void AddRows(const nlohmann::ordered_json& section, const nlohmann::ordered_json& all,
             std::string& out) {
  for (const auto& [task, values] : section.items()) {
    std::string version = all.contains("versions") && all["versions"].contains(task)
                              ? all["versions"][task].get<std::string>().substr(0, 8)
                              : "";
    std::string shots = all.contains("n-shot") && all["n-shot"].contains(task)
                            ? all["n-shot"][task].dump()
                            : "";
    for (const auto& [key, value] : values.items()) {
      size_t comma = key.find(',');
      if (comma == std::string::npos || key.find("_stderr,") != std::string::npos) continue;
      std::string metric = key.substr(0, comma), filter = key.substr(comma + 1);
      std::string se_key = metric + "_stderr," + filter;
      std::string se = values.contains(se_key) ? fmt::format("{:.4f}", values[se_key].get<double>())
                                               : "N/A";
      out += fmt::format("|{:<22}|{:>8}|{:<16}|{:>6}|{:<16}|{:>9.4f}|±|{:>8}|\n", task, version,
                         filter, shots, metric, value.get<double>(), se);
    }
  }
}

}  // namespace

std::string FormatResultsTable(const nlohmann::ordered_json& results) {
  std::string out = fmt::format("|{:<22}|{:>8}|{:<16}|{:>6}|{:<16}|{:>9}| |{:>8}|\n", "Task",
                                "Version", "Filter", "n-shot", "Metric", "Value", "Stderr");
  out += "|----------------------|-------:|----------------|-----:|----------------|--------:|-|-------:|\n";
  AddRows(results["results"], results, out);
  if (results.contains("groups")) {
    out += "\n|Group                 |        |                |      |                |         | |        |\n";
    AddRows(results["groups"], results, out);
  }
  return out;
}

}  // namespace kaieval::cli

// `kaieval tasks list` and `kaieval tasks validate PATH...`: what tasks there are, and whether
// a task file and its data are good, without sending a request.
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "kaieval/bench/evaluator.h"
#include "kaieval/bench/task_spec.h"

namespace kaieval::cli {

void RegisterTasksCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("tasks", "List task files or check them");
  cmd->require_subcommand(1);
  auto dirs = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"tasks"});
  CLI::App* list = cmd->add_subcommand("list", "List the tasks under the include paths");
  list->add_option("--include-path", *dirs, "Folders searched for task YAML files")
      ->capture_default_str();
  list->callback([dirs] {
    std::vector<std::filesystem::path> paths(dirs->begin(), dirs->end());
    std::printf("%-28s %-22s %-20s %s\n", "task", "output_type", "groups", "file");
    for (const auto& t : bench::ListTasks(paths)) {
      std::string groups;
      for (const auto& g : t.groups) groups += (groups.empty() ? "" : ",") + g;
      std::printf("%-28s %-22s %-20s %s\n", t.name.c_str(),
                  std::string(bench::OutputTypeName(t.output_type)).c_str(), groups.c_str(),
                  t.file.string().c_str());
    }
  });

  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* validate = cmd->add_subcommand(
      "validate", "Load task files and render every document, sending nothing");
  validate->add_option("paths", *files, "Task YAML files")->required();
  validate->callback([files] {
    for (const auto& f : *files) {
      bench::PreparedTask task = bench::Prepare(bench::LoadTaskSpec(f), {});
      std::printf("ok: %s: task %s, %zu documents, %s, version %s\n", f.c_str(),
                  task.spec.name.c_str(), task.instances.size(),
                  std::string(bench::OutputTypeName(task.spec.output_type)).c_str(),
                  task.version.substr(0, 12).c_str());
    }
  });
}

}  // namespace kaieval::cli

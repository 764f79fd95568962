// kaieval: the command-line entry point. Parses the subcommand and maps errors to exit codes:
// 2 bad input, 3 a remote endpoint that kept failing, 1 an internal bug.
#include <fmt/format.h>
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "kaieval/common/error.h"
#include "kaieval/common/version.h"

// Logs go to stderr, so that stdout carries only results; SPDLOG_LEVEL=debug shows more.
static void SetUpLogging() {
  auto logger = spdlog::stderr_color_mt("kaieval");
  logger->set_pattern("kaieval: %l: %v");
  spdlog::set_default_logger(logger);
  spdlog::cfg::load_env_levels();
}

int main(int argc, char** argv) {
  SetUpLogging();
  CLI::App app{"kaieval: stage evaluation of national AI foundation models"};
  app.set_version_flag("--version", fmt::format("kaieval {} (commit {})", kaieval::kVersion,
                                                kaieval::kGitCommit));
  app.require_subcommand(1);
  kaieval::cli::RegisterRefmodelCommand(app);
  kaieval::cli::RegisterDemoCommand(app);
  kaieval::cli::RegisterRequestCommand(app);
  kaieval::cli::RegisterRunCommand(app);
  kaieval::cli::RegisterTasksCommand(app);
  kaieval::cli::RegisterCompareCommand(app);
  kaieval::cli::RegisterServeCommand(app);
  kaieval::cli::RegisterArenaCommand(app);
  kaieval::cli::RegisterStageCommand(app);
  kaieval::cli::RegisterReviewCommand(app);
  kaieval::cli::RegisterLineageCommand(app);
  kaieval::cli::RegisterOriginCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(kaieval::ExitCode::kBadInput);
  } catch (const kaieval::Error& e) {
    std::fprintf(stderr, "kaieval: error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kaieval: internal error: %s\n", e.what());
    return static_cast<int>(kaieval::ExitCode::kInternal);
  }
  return 0;
}

// The kaieval subcommands. Each file in src/cli/ registers one subcommand on the app; its
// callback throws kaieval::Error for anything the user must fix, and main() reports it.
#pragma once

#include <CLI/CLI.hpp>

namespace kaieval::cli {

void RegisterRefmodelCommand(CLI::App& app);
void RegisterDemoCommand(CLI::App& app);
void RegisterRequestCommand(CLI::App& app);
void RegisterRunCommand(CLI::App& app);
void RegisterTasksCommand(CLI::App& app);
void RegisterCompareCommand(CLI::App& app);
void RegisterServeCommand(CLI::App& app);
void RegisterArenaCommand(CLI::App& app);
void RegisterStageCommand(CLI::App& app);
void RegisterReviewCommand(CLI::App& app);
void RegisterLineageCommand(CLI::App& app);
void RegisterOriginCommand(CLI::App& app);

}  // namespace kaieval::cli

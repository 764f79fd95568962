// `kaieval serve --config contest.yaml [--stage stage.yaml [--campaign campaign.db]]`: the
// public contest server (arena and leaderboard pages, the JSON API of docs/api.md) and, with a
// stage, the committee's live dashboard (/stage) and, with a campaign store, the experts' review
// page (/review), until SIGINT or SIGTERM.
#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "embedded_refmodel.h"
#include "kaieval/arena/arena_routes.h"
#include "kaieval/arena/battle_store.h"
#include "kaieval/arena/contest.h"
#include "kaieval/arena/contest_config.h"
#include "kaieval/arena/leaderboard_service.h"
#include "kaieval/common/error.h"
#include "kaieval/common/http_listener.h"
#include "kaieval/server/review_routes.h"
#include "kaieval/server/stage_routes.h"
#include "kaieval/stage/stage_config.h"
#include "kaieval/store/evidence_store.h"

namespace kaieval::cli {
namespace {

namespace fs = std::filesystem;

struct ServeOptions {
  std::string config;
  std::string listen;    // overrides the config's
  std::string store;     // overrides the config's
  std::string web_root;  // overrides the config's
  std::string stage;     // stage.yaml: serve /stage
  std::string campaign;  // the campaign's evidence store: serve /review
  int stage_refresh_seconds = 30;
  int threads = 256;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Run(const ServeOptions& o) {
  // Block the stop signals before any thread starts, so that only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  arena::ContestConfig config = arena::LoadContestConfig(o.config);
  if (!o.listen.empty()) {
    size_t colon = o.listen.rfind(':');
    if (colon == std::string::npos) throw InputError("--listen: expected HOST:PORT");
    config.host = o.listen.substr(0, colon);
    try {
      config.port = std::stoi(o.listen.substr(colon + 1));
    } catch (const std::exception&) {
      throw InputError(fmt::format("--listen: expected HOST:PORT, got '{}'", o.listen));
    }
  }
  if (!o.store.empty()) config.store = o.store;
  if (!o.web_root.empty()) config.web_root = o.web_root;
  if (!config.web_root.empty() && !fs::exists(fs::path(config.web_root) / "index.html")) {
    std::fprintf(stderr, "kaieval serve: warning: no pages in %s (build them: make web)\n",
                 config.web_root.c_str());
  }

  EmbeddedRefmodel refmodel;
  if (!config.refmodel.empty()) refmodel = StartEmbeddedRefmodel(config.refmodel, "kaieval serve");
  arena::ResolveModelSpecs(config, refmodel.base_url);

  const char* token = std::getenv(config.admin_token_env.c_str());
  arena::RouteOptions routes_options{config.web_root, token ? token : ""};
  if (routes_options.admin_token.empty()) {
    std::fprintf(stderr, "kaieval serve: %s is not set: the admin endpoints refuse everyone\n",
                 config.admin_token_env.c_str());
  }

  const fs::path store_dir = fs::path(config.store).parent_path();
  if (!store_dir.empty()) fs::create_directories(store_dir);
  arena::BattleStore store(config.store);
  arena::Contest contest(config, store, NowMs);
  arena::LeaderboardService leaderboard(contest);
  ListenerOptions listener_options;
  listener_options.host = config.host;
  listener_options.port = config.port;
  listener_options.threads = o.threads;
  listener_options.max_body_bytes = 64 * 1024;
  listener_options.keep_alive_seconds = 5;
  HttpListener listener(listener_options);
  arena::ArenaRoutes routes(contest, leaderboard, routes_options);
  // The stage and review routes go first: the arena's registration installs the shared error
  // and header handlers, which apply to every route.
  std::unique_ptr<server::StageRoutes> stage_routes;
  std::unique_ptr<stage::StageConfig> stage_config;
  std::unique_ptr<store::EvidenceStore> campaign;
  std::unique_ptr<server::ReviewRoutes> review_routes;
  if (!o.stage.empty()) {
    stage_config = std::make_unique<stage::StageConfig>(stage::LoadStageConfig(o.stage));
    stage_routes = std::make_unique<server::StageRoutes>(
        server::StageRouteOptions{o.stage, config.web_root, routes_options.admin_token,
                                  o.stage_refresh_seconds},
        NowMs);
    stage_routes->Register(listener.http());
    if (!o.campaign.empty()) {
      campaign = std::make_unique<store::EvidenceStore>(o.campaign);
      review_routes = std::make_unique<server::ReviewRoutes>(*stage_config, *campaign, config.web_root, NowMs);
      review_routes->Register(listener.http());
    }
  } else if (!o.campaign.empty()) {
    throw InputError("--campaign: the review page needs --stage stage.yaml (its panels and reviewers)");
  }
  routes.Register(listener.http());
  const int port = listener.Start();
  std::fprintf(stderr, "kaieval serve: %s contest of %zu models at http://%s:%d/ (store %s)\n",
               config.simulated ? "simulated" : "public", config.models.size(),
               config.host.c_str(), port, config.store.c_str());
  // Tests and scripts read the bound port from this line on stdout.
  if (stage_routes) {
    std::fprintf(stderr, "kaieval serve: stage dashboard at http://%s:%d/stage (committee token: %s)\n",
                 config.host.c_str(), port, config.admin_token_env.c_str());
  }
  if (review_routes) {
    std::fprintf(stderr, "kaieval serve: review page at http://%s:%d/review (links: kaieval review tokens)\n",
                 config.host.c_str(), port);
  }
  std::printf("listening on http://%s:%d/\n", config.host.c_str(), port);
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::fprintf(stderr, "kaieval serve: stopping (signal %d)\n", signal);
  listener.Stop();
  if (refmodel.server) refmodel.server->Stop();
}

}  // namespace

void RegisterServeCommand(CLI::App& app) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the public contest (arena and leaderboard)");
  cmd->add_option("--config", opts->config, "Contest config (contest.yaml)")->required();
  cmd->add_option("--listen", opts->listen, "HOST:PORT (overrides the config; port 0 = any)");
  cmd->add_option("--store", opts->store, "SQLite store (overrides the config)");
  cmd->add_option("--web-root", opts->web_root, "Built web pages (overrides the config)");
  cmd->add_option("--stage", opts->stage, "Stage config: serve the committee's dashboard at /stage");
  cmd->add_option("--campaign", opts->campaign,
                  "Campaign evidence store: serve the experts' review page at /review (needs --stage)");
  cmd->add_option("--stage-refresh", opts->stage_refresh_seconds,
                  "Seconds a computed stage report is served before it is recomputed")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--threads", opts->threads, "Connections served at once")
      ->capture_default_str()
      ->check(CLI::Range(4, 4096));
  cmd->callback([opts] { Run(*opts); });
}

}  // namespace kaieval::cli

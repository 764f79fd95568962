// `kaieval refmodel serve`: trains the reference models named in a YAML config and serves them
// as an OpenAI-compatible endpoint until SIGINT or SIGTERM. The demo and the end-to-end tests
// start it with --port 0 --port-file PATH to learn which port it took.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "kaieval/common/error.h"
#include "kaieval/model/refmodel/refmodel_config.h"
#include "kaieval/model/refmodel/refmodel_server.h"

namespace kaieval::cli {
namespace {

struct ServeOptions {
  std::string config;
  std::string port_file;
  refmodel::ServerOptions server;
};

// Blocks SIGINT and SIGTERM in this thread and in every thread started while it lives, so that
// only Wait() receives them; restores the previous mask when it goes.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
  }
  ~StopSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int Wait() const {
    int received = 0;
    while (sigwait(&signals_, &received) != 0) {
    }
    return received;
  }

 private:
  sigset_t signals_;
  sigset_t previous_;
};

// Written to a temporary name, then renamed, so a reader never sees a partial file.
void WritePortFile(const std::filesystem::path& path, int port) {
  std::filesystem::path temp = path;
  temp += fmt::format(".tmp.{}", ::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << port << "\n";
    out.close();
    if (!out) throw InputError(fmt::format("{}: cannot write the port file", temp.string()));
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw InputError(fmt::format("{}: cannot write the port file", path.string()));
  }
}

void Serve(const ServeOptions& opts) {
  auto started = std::chrono::steady_clock::now();
  refmodel::RefmodelConfig config = refmodel::LoadRefmodelConfig(opts.config);
  refmodel::CompletionEngine engine(refmodel::ModelRegistry::Train(config));
  std::chrono::duration<double> training = std::chrono::steady_clock::now() - started;
  std::string names;
  for (const auto& m : engine.models().models()) {
    names += (names.empty() ? "" : ", ") + fmt::format("{} (order {})", m.name, m.model.order());
  }

  StopSignals stop_signals;  // before the server starts its threads
  refmodel::RefmodelServer server(std::move(engine), opts.server);
  int port = server.Start();
  if (!opts.port_file.empty()) WritePortFile(opts.port_file, port);
  fmt::print(stderr,
             "kaieval refmodel: listening on http://{}:{}/v1 (port {}); models {}; "
             "trained in {:.2f} s\n",
             opts.server.host, port, port, names, training.count());
  std::fflush(stderr);

  int received = stop_signals.Wait();
  fmt::print(stderr, "kaieval refmodel: {}, stopping\n", received == SIGINT ? "SIGINT" : "SIGTERM");
  server.Stop();
}

}  // namespace

void RegisterRefmodelCommand(CLI::App& app) {
  CLI::App* refmodel = app.add_subcommand(
      "refmodel", "The built-in reference model server (character n-gram models, no GPU)");
  refmodel->require_subcommand(1);
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* serve = refmodel->add_subcommand(
      "serve", "Train the models of a YAML config and serve them over an OpenAI-compatible API");
  serve
      ->add_option("--config", opts->config,
                   "YAML file listing the models (name, order, "
                   "training)")
      ->required();
  serve->add_option("--host", opts->server.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", opts->server.port, "Port; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve->add_option("--port-file", opts->port_file,
                    "Write the port here once listening (atomically, by rename)");
  serve->add_option("--threads", opts->server.threads, "Worker threads: connections served at once")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  serve
      ->add_option("--max-body-bytes", opts->server.max_body_bytes,
                   "Larger request bodies are refused with 413")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->callback([opts] { Serve(*opts); });
}

}  // namespace kaieval::cli

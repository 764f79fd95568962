// RefmodelServer: the reference models over HTTP, as an OpenAI-compatible endpoint (/v1/models,
// /v1/completions, /v1/chat/completions) plus /health and /stats. Started by
// `kaieval refmodel serve`, and by tests that need a live model endpoint on loopback.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "kaieval/model/refmodel/completion_engine.h"

namespace kaieval::refmodel {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;                          // 0: any free port
  int threads = 128;                        // one per open connection; more connections queue
  size_t max_body_bytes = size_t{1} << 20;  // larger request bodies get 413
  int keep_alive_seconds = 2;               // an idle connection is closed after this
};

// Requests that reached each endpoint, whatever their outcome (GET /stats reports them).
struct EndpointCounts {
  uint64_t completions = 0;
  uint64_t chat_completions = 0;
  uint64_t models = 0;
};

class RefmodelServer {
 public:
  RefmodelServer(CompletionEngine engine, ServerOptions options);
  ~RefmodelServer();  // Stop()s
  RefmodelServer(const RefmodelServer&) = delete;
  RefmodelServer& operator=(const RefmodelServer&) = delete;

  // Binds, then serves on background threads; returns the bound port (the chosen one when
  // options.port is 0). Throws InputError when the address cannot be bound.
  int Start();

  // Stops accepting, lets requests in flight finish and joins the threads (this can take up to
  // keep_alive_seconds while a client holds an idle connection). Safe to call twice.
  void Stop();

  EndpointCounts counts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaieval::refmodel

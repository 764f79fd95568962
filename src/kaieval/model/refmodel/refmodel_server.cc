#include "kaieval/model/refmodel/refmodel_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <random>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/common/http_listener.h"

namespace kaieval::refmodel {
namespace {

using nlohmann::ordered_json;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

void SendJson(httplib::Response& res, int status, const ordered_json& body) {
  res.status = status;
  res.set_content(DumpJson(body), "application/json");
}

// A streamed reply whose events are all known: written as one chunked text/event-stream body.
void SendEvents(httplib::Response& res, std::vector<std::string> events) {
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  auto shared = std::make_shared<std::vector<std::string>>(std::move(events));
  res.set_chunked_content_provider("text/event-stream", [shared](size_t, httplib::DataSink& sink) {
    for (const auto& e : *shared) {
      if (!sink.write(e.data(), e.size())) return false;
    }
    sink.done();
    return true;
  });
}

// Runs a handler body, answering a RequestError with the OpenAI error body.
void Respond(httplib::Response& res, const std::function<void()>& handler) {
  try {
    handler();
  } catch (const RequestError& e) {
    SendJson(res, e.status(), ErrorBody(e));
  }
}

// Errors that httplib raises itself (no route, bad HTTP, body over the limit) in OpenAI form.
RequestError RoutingError(const httplib::Request& req, int status, size_t max_body_bytes) {
  switch (status) {
    case 404:
      return RequestError(404, fmt::format("no route for {} {}", req.method, req.path), "",
                          "not_found");
    case 413:
      return RequestError(413, fmt::format("the request body exceeds {} bytes", max_body_bytes), "",
                          "request_too_large");
    case 400:
      return RequestError(400, "malformed HTTP request");
    default:
      return RequestError(status, fmt::format("HTTP error {}", status));
  }
}

}  // namespace

struct RefmodelServer::Impl {
  Impl(CompletionEngine e, ServerOptions o)
      : engine(std::move(e)),
        options(std::move(o)),
        listener({options.host, options.port, options.threads, options.max_body_bytes,
                  options.keep_alive_seconds}),
        http(listener.http()) {}

  RequestContext NextContext() {
    uint64_t n = next_request.fetch_add(1, std::memory_order_relaxed);
    return {fmt::format("{:016x}{:016x}", nonce, n), static_cast<int64_t>(std::time(nullptr)),
            SplitMix64(nonce ^ SplitMix64(n))};
  }

  // The body, up to max_body_bytes (413 beyond, whether it came with Content-Length or chunked).
  std::string ReadBody(const httplib::Request& req, httplib::Response& res,
                       const httplib::ContentReader& reader) const {
    // A request with neither header has no body (RFC 9112 6.3); httplib would wait for EOF.
    bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
    if (!req.has_header("Content-Length") && !chunked) return {};
    std::string body;
    bool too_large = false;
    bool ok = reader([&](const char* data, size_t size) {
      if (body.size() + size > options.max_body_bytes) {
        too_large = true;
        return false;
      }
      body.append(data, size);
      return true;
    });
    if (too_large || res.status == 413) throw RoutingError(req, 413, options.max_body_bytes);
    if (!ok) throw RequestError(400, "could not read the request body");
    return body;
  }

  void AddServiceRoutes();
  void AddApiRoutes();
  void SetErrorHandlers();

  CompletionEngine engine;
  ServerOptions options;
  HttpListener listener;
  httplib::Server& http;
  std::atomic<uint64_t> completions{0}, chat_completions{0}, models{0}, next_request{0};
  const uint64_t nonce = (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
};

// /health, /stats, and 405 for the wrong method on a known path.
void RefmodelServer::Impl::AddServiceRoutes() {
  http.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, {{"status", "ok"}});
  });
  http.Get("/stats", [this](const httplib::Request&, httplib::Response& res) {
    ordered_json requests;
    requests["/v1/completions"] = completions.load();
    requests["/v1/chat/completions"] = chat_completions.load();
    requests["/v1/models"] = models.load();
    SendJson(res, 200, {{"requests", requests}});
  });
  auto method_not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    auto message = fmt::format("{} is not allowed on {}", req.method, req.path);
    SendJson(res, 405, ErrorBody(RequestError(405, message, "", "method_not_allowed")));
  };
  for (const char* path : {"/v1/completions", "/v1/chat/completions"}) {
    http.Get(path, method_not_allowed);
  }
  for (const char* path : {"/v1/models", "/health", "/stats"}) http.Post(path, method_not_allowed);
}

void RefmodelServer::Impl::AddApiRoutes() {
  http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    ++models;
    SendJson(res, 200, engine.ListModels(static_cast<int64_t>(std::time(nullptr))));
  });
  http.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& reader) {
    ++completions;
    Respond(res, [&] {
      auto body = ParseRequestBody(ReadBody(req, res, reader));
      SendJson(res, 200, engine.Complete(body, NextContext()));
    });
  });
  http.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader& reader) {
    ++chat_completions;
    Respond(res, [&] {
      auto body = ParseRequestBody(ReadBody(req, res, reader));
      ChatReply reply = engine.Chat(body, NextContext());
      if (reply.stream) {
        SendEvents(res, std::move(reply.events));
      } else {
        SendJson(res, 200, reply.body);
      }
    });
  });
}

// httplib's own errors (no route, bad HTTP, body too large) and escaped exceptions get an
// OpenAI-style body too; a handler that already wrote its error body keeps it.
void RefmodelServer::Impl::SetErrorHandlers() {
  httplib::Server::HandlerWithResponse error_handler = [this](const httplib::Request& req,
                                                              httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    SendJson(res, res.status, ErrorBody(RoutingError(req, res.status, options.max_body_bytes)));
    return httplib::Server::HandlerResponse::Handled;
  };
  http.set_error_handler(std::move(error_handler));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
        std::string what = "unknown error";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        SendJson(res, 500,
                 ErrorBody(RequestError(500, "internal error: " + what, "", "internal_error")));
      });
}

RefmodelServer::RefmodelServer(CompletionEngine engine, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(engine), std::move(options))) {
  impl_->AddServiceRoutes();
  impl_->AddApiRoutes();
  impl_->SetErrorHandlers();
}

RefmodelServer::~RefmodelServer() { Stop(); }

int RefmodelServer::Start() { return impl_->listener.Start(); }

void RefmodelServer::Stop() {
  if (impl_) impl_->listener.Stop();
}

EndpointCounts RefmodelServer::counts() const {
  return {impl_->completions.load(), impl_->chat_completions.load(), impl_->models.load()};
}

}  // namespace kaieval::refmodel

// HttpTransport: the libcurl-multi engine under ModelClient. It keeps many requests in flight
// against one or more replicas of a model server, retries what can be retried, and reports
// each call once, when it is final. It knows HTTP and SSE, not the OpenAI schema.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kaieval::model {

struct TransportOptions {
  // Replica base URLs, e.g. "http://127.0.0.1:8000/v1". Calls are load-balanced across them.
  std::vector<std::string> base_urls;
  // Sent as "Authorization: Bearer ..." when not empty. Never logged or put in an error.
  std::string api_key;
  int max_in_flight = 32;
  // Retries after the first attempt, for connection errors, timeouts, 408, 429 and 5xx.
  int max_retries = 5;
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{30000};
  std::chrono::milliseconds connect_timeout{10000};
  // Per attempt. 0 means no limit.
  std::chrono::milliseconds request_timeout{300000};
  // For one Execute() as a whole; calls not finished by then end as kTimedOut. 0: no limit.
  std::chrono::milliseconds total_timeout{0};
  // A body larger than this aborts the call as kTooLarge (not retried).
  size_t max_response_bytes = size_t{64} << 20;
  // How long a replica that failed to connect stays out of the rotation before it is tried again.
  std::chrono::milliseconds replica_cooldown{5000};
  // Seed for the backoff jitter, so tests are repeatable.
  uint64_t jitter_seed = 0x6b61696576616cULL;
};

struct HttpCall {
  std::string path;  // appended to the base URL, e.g. "/completions"
  std::string body;  // JSON request body (POST); empty means GET
  // When set, the request is streaming: each SSE "data:" payload (other than "[DONE]") is
  // passed here as it arrives, and HttpResult::body stays empty. A streaming call is retried
  // only while no payload has been delivered.
  std::function<void(std::string_view data)> on_sse_data;
};

struct HttpResult {
  enum class Outcome { kOk, kHttpError, kTransportError, kTimedOut, kTooLarge, kCancelled };
  Outcome outcome = Outcome::kCancelled;
  long status = 0;     // HTTP status of the last attempt, 0 when none
  std::string body;    // response body of the last attempt
  std::string error;   // one line for the user; names the URL path and what went wrong
  int attempts = 0;
  std::string replica;  // base URL that gave the final answer
  double seconds = 0;   // wall time from first attempt to final answer

  bool ok() const { return outcome == Outcome::kOk; }
};

struct TransportStats {
  uint64_t attempts = 0;
  uint64_t retries = 0;
  uint64_t succeeded = 0;
  uint64_t failed = 0;
};

class HttpTransport {
 public:
  explicit HttpTransport(TransportOptions options);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Runs all calls, at most max_in_flight at once, on the calling thread. on_done is called
  // once per call, on the calling thread, as soon as that call is final (after retries).
  // If on_done returns false, no new call is started: those in flight finish and are
  // reported, and the calls never started are reported as kCancelled.
  void Execute(std::vector<HttpCall>& calls,
               const std::function<bool(size_t index, HttpResult&& result)>& on_done);

  // One call, for convenience.
  HttpResult Send(HttpCall call);

  TransportStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaieval::model

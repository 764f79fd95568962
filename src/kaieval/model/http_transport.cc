// HttpTransport on the libcurl multi interface: one CURLM, a pool of reused easy handles (one
// per slot of max_in_flight), and a single-threaded loop that polls, starts attempts, and turns
// finished transfers into results, retries or replica cooldowns.
#include "kaieval/model/http_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <exception>
#include <iterator>
#include <limits>
#include <queue>
#include <random>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "kaieval/common/error.h"
#include "kaieval/model/curl_handles.h"
#include "kaieval/model/sse_parser.h"

namespace kaieval::model {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using Outcome = HttpResult::Outcome;

constexpr size_t kNoCall = std::numeric_limits<size_t>::max();
constexpr milliseconds kMaxReplicaCooldown{60000};
constexpr milliseconds kMaxPollWait{1000};
constexpr size_t kErrorBodyChars = 200;

// Retry-After is either delta-seconds or an HTTP-date. Returns -1 when it is neither.
int64_t ParseRetryAfterMs(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty()) return -1;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return int64_t{999999999} * 1000;
    int64_t seconds = 0;
    for (char c : value) seconds = seconds * 10 + (c - '0');
    return seconds * 1000;
  }
  std::string date(value);
  time_t when = curl_getdate(date.c_str(), nullptr);
  if (when < 0) return -1;
  return std::max<int64_t>(0, static_cast<int64_t>(when - std::time(nullptr))) * 1000;
}

// The first ~200 bytes of a body on one line, cut at a UTF-8 boundary.
std::string BodySnippet(const std::string& body) {
  size_t cut = std::min(body.size(), kErrorBodyChars);
  while (cut > 0 && cut < body.size() && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  std::string snippet = body.substr(0, cut);
  for (char& c : snippet) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return snippet;
}

// "user:password@" in a URL stays out of errors and logs.
std::string WithoutUserInfo(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t at = url.find('@', start);
  size_t slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

struct Replica {
  std::string base_url;  // as given, reported in HttpResult::replica
  std::string prefix;    // without a trailing '/', for building URLs
  std::string display;   // prefix without user info, for errors and logs
  int in_flight = 0;
  int failures = 0;  // consecutive connection failures; > 0 means probe one call at a time
  milliseconds cooldown{0};
  Clock::time_point down_until{};
};

// A connection to the replica was made (or reused): it is reachable again. Done as soon as the
// request goes out, so that a recovering replica does not wait for a long generation to end
// before it gets more than its one probe call.
void MarkReplicaReachable(Replica& replica) {
  if (replica.failures == 0) return;
  spdlog::info("model replica {} is reachable again", replica.display);
  replica.failures = 0;
  replica.down_until = {};
}

// One easy handle and everything one attempt on it needs; reused across attempts and Executes.
struct Slot {
  EasyHandle easy;
  size_t call = kNoCall;
  Replica* replica = nullptr;
  std::string url;
  std::string body;
  size_t received = 0;
  size_t max_bytes = 0;
  const std::function<void(std::string_view)>* on_sse = nullptr;
  bool mode_known = false;
  bool sse_active = false;  // a streaming call that got a 2xx: bytes go to the parser
  bool too_large = false;
  bool delivered = false;  // at least one SSE payload reached the caller in this attempt
  std::exception_ptr callback_error;
  SseParser sse;
  char error_buffer[CURL_ERROR_SIZE] = {};
};

int OnConnected(void* user, char*, char*, int, int) {
  MarkReplicaReachable(*static_cast<Slot*>(user)->replica);
  return CURL_PREREQFUNC_OK;
}

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  Slot& slot = *static_cast<Slot*>(user);
  size_t length = size * count;
  slot.received += length;
  if (slot.received > slot.max_bytes) {
    slot.too_large = true;
    return CURL_WRITEFUNC_ERROR;
  }
  if (!slot.mode_known) {
    long status = 0;
    curl_easy_getinfo(slot.easy.get(), CURLINFO_RESPONSE_CODE, &status);
    slot.sse_active = slot.on_sse != nullptr && status >= 200 && status < 300;
    slot.mode_known = true;
  }
  if (!slot.sse_active) {
    slot.body.append(data, length);
    return length;
  }
  try {
    slot.sse.Feed(std::string_view(data, length), [&slot](std::string_view payload) {
      slot.delivered = true;
      (*slot.on_sse)(payload);
    });
  } catch (...) {
    // An exception must not unwind through libcurl; it is rethrown from Execute.
    slot.callback_error = std::current_exception();
    return CURL_WRITEFUNC_ERROR;
  }
  return length;
}

// How one finished attempt went, when it did not succeed.
struct Failure {
  Outcome outcome = Outcome::kTransportError;
  bool retryable = false;
  bool replica_unreachable = false;
  std::string what;    // "HTTP 503", "connection refused", ...
  std::string detail;  // body snippet for HTTP errors
};

bool IsConnectError(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
         code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_SSL_CONNECT_ERROR;
}

bool IsBrokenConnection(CURLcode code) {
  return code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING ||
         code == CURLE_PARTIAL_FILE || code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM;
}

std::string LowerFirst(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// "connection refused", "could not resolve host", ... from the curl code and the socket errno.
std::string DescribeCurlError(CURL* easy, CURLcode code, const char* error_buffer) {
  if (code == CURLE_COULDNT_CONNECT) {
    long os_errno = 0;
    curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
    if (os_errno != 0) {
      return LowerFirst(std::generic_category().message(static_cast<int>(os_errno)));
    }
  }
  if (code == CURLE_COULDNT_RESOLVE_HOST) return "could not resolve host";
  if (code == CURLE_GOT_NOTHING) return "connection closed before any response";
  std::string what = LowerFirst(curl_easy_strerror(code));
  if (error_buffer[0] != '\0') what += fmt::format(" ({})", error_buffer);
  return what;
}

}  // namespace

struct HttpTransport::Impl {
  explicit Impl(TransportOptions opts);

  // The state of one Execute(); it lives on Execute's stack.
  struct CallState {
    HttpResult result;
    Clock::time_point first_start{};
    int replica = -1;
    std::string last_failure;  // e.g. "HTTP 503", for a call that ends while waiting to retry
  };
  using Timer = std::pair<Clock::time_point, size_t>;
  struct Run {
    std::vector<HttpCall>& calls;
    const std::function<bool(size_t, HttpResult&&)>& on_done;
    std::vector<CallState> states;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> retry_timers;
    size_t next_unstarted = 0;
    bool stopping = false;
    bool waiting_for_replica = false;
    Clock::time_point deadline = Clock::time_point::max();
  };

  void Execute(Run& run);
  void StartReady(Run& run, Clock::time_point now);
  bool StartAttempt(Run& run, size_t index, Clock::time_point now);
  void DrainCompletions(Run& run);
  void OnAttemptDone(Run& run, Slot& slot, CURLcode code);
  Failure Classify(Slot& slot, CURLcode code, long status) const;
  milliseconds BackoffDelay(int retries_so_far, int64_t retry_after_ms);
  void Finalize(Run& run, size_t index, Outcome outcome, std::string_view what,
                std::string_view detail);
  void EndPending(Run& run, Outcome outcome, std::string_view what);
  void AbortInFlight(Run& run, std::string_view what);
  void DetachAll();
  int PickReplica(Clock::time_point now);
  void MarkReplicaUnreachable(Replica& replica, Clock::time_point now);
  milliseconds PollWait(const Run& run, Clock::time_point now) const;
  Slot& AcquireSlot();
  void Redact(std::string& text) const;

  TransportOptions options;
  MultiHandle multi;
  HeaderList post_headers;
  HeaderList get_headers;
  std::vector<Replica> replicas;
  std::vector<std::unique_ptr<Slot>> slots;
  std::vector<Slot*> idle_slots;
  int in_flight = 0;
  size_t round_robin = 0;
  std::mt19937_64 rng;
  TransportStats stats;
  bool executing = false;
};

HttpTransport::Impl::Impl(TransportOptions opts)
    : options(std::move(opts)), rng(options.jitter_seed) {
  if (options.base_urls.empty()) throw InputError("model transport: base_urls is empty");
  if (options.max_in_flight < 1) {
    throw InputError(
        fmt::format("model transport: max_in_flight must be >= 1, got {}", options.max_in_flight));
  }
  options.max_retries = std::max(0, options.max_retries);
  EnsureCurlGlobalInit();
  multi.reset(curl_multi_init());
  if (!multi) throw std::runtime_error("curl_multi_init failed");
  long max_connects = static_cast<long>(options.max_in_flight) *
                      static_cast<long>(std::min<size_t>(options.base_urls.size(), 4));
  curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, max_connects);
  for (const std::string& url : options.base_urls) {
    Replica replica;
    replica.base_url = url;
    replica.prefix = url;
    while (!replica.prefix.empty() && replica.prefix.back() == '/') replica.prefix.pop_back();
    replica.display = WithoutUserInfo(replica.prefix);
    replicas.push_back(std::move(replica));
  }
  AppendHeader(post_headers, "Content-Type: application/json");
  AppendHeader(post_headers, "Expect:");
  if (!options.api_key.empty()) {
    std::string auth = "Authorization: Bearer " + options.api_key;
    AppendHeader(post_headers, auth);
    AppendHeader(get_headers, auth);
  }
}

Slot& HttpTransport::Impl::AcquireSlot() {
  if (!idle_slots.empty()) {
    Slot* slot = idle_slots.back();
    idle_slots.pop_back();
    return *slot;
  }
  auto slot = std::make_unique<Slot>();
  slot->easy.reset(curl_easy_init());
  if (!slot->easy) throw std::runtime_error("curl_easy_init failed");
  CURL* easy = slot->easy.get();
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnWrite);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, slot.get());
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &OnConnected);
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, slot.get());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, slot.get());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, slot->error_buffer);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
  slot->max_bytes = options.max_response_bytes;
  slots.push_back(std::move(slot));
  return *slots.back();
}

// The live replica with the fewest calls in flight, round-robin among equals; -1 if none.
int HttpTransport::Impl::PickReplica(Clock::time_point now) {
  int best = -1;
  for (size_t k = 0; k < replicas.size(); ++k) {
    size_t i = (round_robin + k) % replicas.size();
    const Replica& r = replicas[i];
    if (r.down_until > now || (r.failures > 0 && r.in_flight > 0)) continue;
    if (best < 0 || r.in_flight < replicas[best].in_flight) best = static_cast<int>(i);
  }
  if (best >= 0) round_robin = static_cast<size_t>(best) + 1;
  return best;
}

void HttpTransport::Impl::MarkReplicaUnreachable(Replica& replica, Clock::time_point now) {
  if (replica.down_until > now) return;  // calls that were already in flight fail together
  milliseconds cap = std::max(kMaxReplicaCooldown, options.replica_cooldown);
  replica.cooldown =
      replica.failures == 0 ? options.replica_cooldown : std::min(cap, replica.cooldown * 2);
  ++replica.failures;
  replica.down_until = now + replica.cooldown;
  spdlog::warn("model replica {} unreachable; out of rotation for {} ms", replica.display,
               replica.cooldown.count());
}

bool HttpTransport::Impl::StartAttempt(Run& run, size_t index, Clock::time_point now) {
  int replica_index = PickReplica(now);
  if (replica_index < 0) return false;
  Replica& replica = replicas[replica_index];
  const HttpCall& call = run.calls[index];
  CallState& state = run.states[index];
  Slot& slot = AcquireSlot();
  CURL* easy = slot.easy.get();
  slot.url.assign(replica.prefix).append(call.path);
  curl_easy_setopt(easy, CURLOPT_URL, slot.url.c_str());
  if (call.body.empty()) {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, get_headers.get());
  } else {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, post_headers.get());
  }
  slot.call = index;
  slot.replica = &replica;
  slot.body.clear();
  slot.received = 0;
  slot.on_sse = call.on_sse_data ? &call.on_sse_data : nullptr;
  slot.mode_known = slot.sse_active = slot.too_large = slot.delivered = false;
  slot.sse.Reset();
  slot.error_buffer[0] = '\0';
  if (curl_multi_add_handle(multi.get(), easy) != CURLM_OK) {
    slot.call = kNoCall;
    idle_slots.push_back(&slot);
    throw std::runtime_error("curl_multi_add_handle failed");
  }
  ++replica.in_flight;
  ++in_flight;
  if (state.result.attempts == 0) state.first_start = now;
  if (++state.result.attempts > 1) ++stats.retries;
  ++stats.attempts;
  state.replica = replica_index;
  return true;
}

// Starts due retries first, then new calls, while there is room and a replica to take them.
void HttpTransport::Impl::StartReady(Run& run, Clock::time_point now) {
  run.waiting_for_replica = false;
  while (in_flight < options.max_in_flight) {
    bool from_timer = !run.retry_timers.empty() && run.retry_timers.top().first <= now;
    size_t index;
    if (from_timer) {
      index = run.retry_timers.top().second;
    } else if (!run.stopping && run.next_unstarted < run.calls.size()) {
      index = run.next_unstarted;
    } else {
      return;
    }
    if (!StartAttempt(run, index, now)) {
      run.waiting_for_replica = true;
      return;
    }
    if (from_timer) {
      run.retry_timers.pop();
    } else {
      ++run.next_unstarted;
    }
  }
}

milliseconds HttpTransport::Impl::BackoffDelay(int retries_so_far, int64_t retry_after_ms) {
  int64_t cap = options.backoff_max.count();
  int64_t delay = options.backoff_initial.count();
  for (int i = 0; i < retries_so_far && delay < cap; ++i) delay *= 2;
  delay = std::clamp<int64_t>(delay, 0, std::max<int64_t>(cap, 0));
  int64_t jittered = std::uniform_int_distribution<int64_t>(0, delay)(rng);
  if (retry_after_ms >= 0) jittered = std::max(jittered, std::min(retry_after_ms, cap));
  return milliseconds(jittered);
}

Failure HttpTransport::Impl::Classify(Slot& slot, CURLcode code, long status) const {
  Failure f;
  if (code == CURLE_OK) {
    f.outcome = Outcome::kHttpError;
    f.retryable = status == 408 || status == 429 || status >= 500;
    f.what = fmt::format("HTTP {}", status);
    f.detail = BodySnippet(slot.body);
  } else if (slot.too_large) {
    f.outcome = Outcome::kTooLarge;
    f.what = fmt::format("response larger than max_response_bytes ({} bytes)", slot.max_bytes);
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    curl_off_t pretransfer = 0;
    curl_easy_getinfo(slot.easy.get(), CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    f.outcome = Outcome::kTimedOut;
    f.retryable = true;
    f.replica_unreachable = pretransfer == 0;  // never got as far as sending the request
    f.what = f.replica_unreachable
                 ? fmt::format("connect timed out ({} ms)", options.connect_timeout.count())
                 : fmt::format("timed out ({} ms per attempt)", options.request_timeout.count());
  } else {
    f.outcome = Outcome::kTransportError;
    f.retryable = IsConnectError(code) || IsBrokenConnection(code);
    f.replica_unreachable = IsConnectError(code) || (IsBrokenConnection(code) && status == 0);
    f.what = DescribeCurlError(slot.easy.get(), code, slot.error_buffer);
  }
  return f;
}

void HttpTransport::Impl::OnAttemptDone(Run& run, Slot& slot, CURLcode code) {
  CURL* easy = slot.easy.get();
  curl_multi_remove_handle(multi.get(), easy);
  size_t index = std::exchange(slot.call, kNoCall);
  Replica& replica = *slot.replica;
  --replica.in_flight;
  --in_flight;
  idle_slots.push_back(&slot);
  if (slot.callback_error) std::rethrow_exception(std::exchange(slot.callback_error, nullptr));

  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  CallState& state = run.states[index];
  state.result.status = status;
  auto now = Clock::now();
  if (code == CURLE_OK || status != 0) MarkReplicaReachable(replica);
  if (code == CURLE_OK && status >= 200 && status < 300) {
    if (!slot.sse_active) state.result.body.assign(slot.body);
    Finalize(run, index, Outcome::kOk, {}, {});
    return;
  }
  state.result.body.assign(slot.body);
  Failure failure = Classify(slot, code, status);
  if (failure.replica_unreachable) MarkReplicaUnreachable(replica, now);
  bool retry = failure.retryable && !slot.delivered && !run.stopping &&
               state.result.attempts <= options.max_retries;
  if (!retry) {
    Finalize(run, index, failure.outcome, failure.what, failure.detail);
    return;
  }
  int64_t retry_after_ms = -1;
  curl_header* header = nullptr;
  if ((status == 429 || status == 503) &&
      curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &header) == CURLHE_OK) {
    retry_after_ms = ParseRetryAfterMs(header->value);
  }
  milliseconds delay = BackoffDelay(state.result.attempts - 1, retry_after_ms);
  spdlog::debug("retrying {} after {} in {} ms", run.calls[index].path, failure.what,
                delay.count());
  state.last_failure = std::move(failure.what);
  run.retry_timers.emplace(now + delay, index);
}

void HttpTransport::Impl::Redact(std::string& text) const {
  const std::string& key = options.api_key;
  if (key.empty()) return;
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 10)) {
    text.replace(at, key.size(), "<redacted>");
  }
}

// Reports a call. `what` is empty for kOk; the error reads "POST <url>: <what>[ after N
// attempts][: <detail>]".
void HttpTransport::Impl::Finalize(Run& run, size_t index, Outcome outcome, std::string_view what,
                                   std::string_view detail) {
  CallState& state = run.states[index];
  HttpResult& result = state.result;
  result.outcome = outcome;
  if (state.replica >= 0) {
    result.replica = replicas[state.replica].base_url;
    result.seconds = std::chrono::duration<double>(Clock::now() - state.first_start).count();
  }
  if (outcome != Outcome::kOk) {
    const HttpCall& call = run.calls[index];
    std::string_view url;
    if (state.replica >= 0) url = replicas[state.replica].display;
    result.error =
        fmt::format("{} {}{}: {}", call.body.empty() ? "GET" : "POST", url, call.path, what);
    if (result.attempts > 1)
      fmt::format_to(std::back_inserter(result.error), " after {} attempts", result.attempts);
    if (!detail.empty()) fmt::format_to(std::back_inserter(result.error), ": {}", detail);
    Redact(result.error);
  }
  ++(outcome == Outcome::kOk ? stats.succeeded : stats.failed);
  if (!run.on_done(index, std::move(result))) run.stopping = true;
}

// Ends every call that is waiting to retry or has not started.
void HttpTransport::Impl::EndPending(Run& run, Outcome outcome, std::string_view what) {
  while (!run.retry_timers.empty()) {
    size_t index = run.retry_timers.top().second;
    run.retry_timers.pop();
    std::string why = fmt::format("{} (last attempt: {})", what, run.states[index].last_failure);
    Finalize(run, index, outcome, why, {});
  }
  while (run.next_unstarted < run.calls.size()) {
    Finalize(run, run.next_unstarted++, outcome, fmt::format("{} before it started", what), {});
  }
}

void HttpTransport::Impl::AbortInFlight(Run& run, std::string_view what) {
  for (auto& slot : slots) {
    if (slot->call == kNoCall) continue;
    curl_multi_remove_handle(multi.get(), slot->easy.get());
    size_t index = std::exchange(slot->call, kNoCall);
    --slot->replica->in_flight;
    --in_flight;
    idle_slots.push_back(slot.get());
    run.states[index].result.body.assign(slot->body);
    Finalize(run, index, Outcome::kTimedOut, what, {});
  }
}

// Leaves the transport reusable when Execute unwinds with an exception.
void HttpTransport::Impl::DetachAll() {
  idle_slots.clear();
  for (auto& slot : slots) {
    if (slot->call != kNoCall) curl_multi_remove_handle(multi.get(), slot->easy.get());
    slot->call = kNoCall;
    idle_slots.push_back(slot.get());
  }
  for (Replica& replica : replicas) replica.in_flight = 0;
  in_flight = 0;
  executing = false;
}

void HttpTransport::Impl::DrainCompletions(Run& run) {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    Slot* slot = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &slot);
    OnAttemptDone(run, *slot, message->data.result);
  }
}

milliseconds HttpTransport::Impl::PollWait(const Run& run, Clock::time_point now) const {
  Clock::time_point until = std::min(now + kMaxPollWait, run.deadline);
  // A due timer that could not start waits for a free slot or a replica, not for itself.
  if (!run.retry_timers.empty() && run.retry_timers.top().first > now) {
    until = std::min(until, run.retry_timers.top().first);
  }
  if (run.waiting_for_replica) {
    for (const Replica& replica : replicas) {
      if (replica.down_until > now) until = std::min(until, replica.down_until);
    }
  }
  return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(until - now));
}

void HttpTransport::Impl::Execute(Run& run) {
  if (options.total_timeout.count() > 0) run.deadline = Clock::now() + options.total_timeout;
  while (true) {
    auto now = Clock::now();
    if (now >= run.deadline) {
      std::string what =
          fmt::format("total timeout of {} ms reached", options.total_timeout.count());
      AbortInFlight(run, what);
      EndPending(run, Outcome::kTimedOut, what);
      return;
    }
    if (run.stopping) EndPending(run, Outcome::kCancelled, "cancelled");
    StartReady(run, now);
    if (in_flight == 0 && run.retry_timers.empty() && run.next_unstarted == run.calls.size()) {
      return;
    }
    CURLMcode rc = curl_multi_poll(multi.get(), nullptr, 0,
                                   static_cast<int>(PollWait(run, now).count()), nullptr);
    int running = 0;
    if (rc == CURLM_OK) rc = curl_multi_perform(multi.get(), &running);
    if (rc != CURLM_OK)
      throw std::runtime_error(fmt::format("curl multi: {}", curl_multi_strerror(rc)));
    DrainCompletions(run);
  }
}

HttpTransport::HttpTransport(TransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpTransport::~HttpTransport() = default;

void HttpTransport::Execute(std::vector<HttpCall>& calls,
                            const std::function<bool(size_t index, HttpResult&& result)>& on_done) {
  if (impl_->executing) throw std::logic_error("HttpTransport::Execute is not reentrant");
  if (calls.empty()) return;
  impl_->executing = true;
  Impl::Run run{calls, on_done, std::vector<Impl::CallState>(calls.size()), {}};
  try {
    impl_->Execute(run);
  } catch (...) {
    impl_->DetachAll();
    throw;
  }
  impl_->executing = false;
}

HttpResult HttpTransport::Send(HttpCall call) {
  std::vector<HttpCall> calls;
  calls.push_back(std::move(call));
  HttpResult out;
  Execute(calls, [&out](size_t, HttpResult&& result) {
    out = std::move(result);
    return true;
  });
  return out;
}

TransportStats HttpTransport::stats() const { return impl_->stats; }

}  // namespace kaieval::model

// Test support for HttpTransport's tests: an httplib fake server on 127.0.0.1 and helpers to
// run batches of calls. Included only by http_transport*_test.cc.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kaieval/model/http_transport.h"

namespace kaieval::model::testing {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using Outcome = HttpResult::Outcome;

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// An httplib server on 127.0.0.1 running on its own thread; handlers are added before Start().
class FakeServer {
 public:
  explicit FakeServer(size_t threads = 16) {
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_.set_keep_alive_max_count(1000000);
    server_.set_tcp_nodelay(true);
    server_.set_socket_options([this](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      listen_fd_ = sock;
    });
  }
  ~FakeServer() {
    stopping_ = true;
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  httplib::Server& server() { return server_; }

  // Binds (port 0: any free port) and serves. httplib listens with a backlog of 5, too few for
  // hundreds of simultaneous connects, so the socket is put back into listen with a larger one.
  void Start(int port = 0) {
    if (port == 0) {
      port_ = server_.bind_to_any_port("127.0.0.1");
    } else {
      ASSERT_TRUE(server_.bind_to_port("127.0.0.1", port));
      port_ = port;
    }
    ASSERT_GT(port_, 0);
    ::listen(listen_fd_, 4096);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(milliseconds(1));
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int port() const { return port_; }

  // For slow handlers: returns early when the server is shutting down.
  void SleepUnlessStopping(milliseconds duration) {
    auto until = Clock::now() + duration;
    while (!stopping_ && Clock::now() < until) std::this_thread::sleep_for(milliseconds(2));
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
};

// A localhost port with nothing listening on it.
inline int DeadPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

inline std::string DeadUrl() { return "http://127.0.0.1:" + std::to_string(DeadPort()) + "/v1"; }

// Short timings so that the whole binary runs in seconds.
inline TransportOptions FastOptions(std::vector<std::string> urls) {
  TransportOptions options;
  options.base_urls = std::move(urls);
  options.backoff_initial = milliseconds(10);
  options.backoff_max = milliseconds(50);
  options.replica_cooldown = milliseconds(50);
  options.connect_timeout = milliseconds(2000);
  options.request_timeout = milliseconds(10000);
  return options;
}

inline std::vector<HttpCall> Calls(size_t count, const std::string& path,
                                   const std::string& body = "{}") {
  std::vector<HttpCall> calls(count);
  for (HttpCall& call : calls) {
    call.path = path;
    call.body = body;
  }
  return calls;
}

// Runs the calls and checks that on_done saw each index exactly once.
inline std::vector<HttpResult> RunAll(HttpTransport& transport, std::vector<HttpCall>& calls) {
  std::vector<HttpResult> results(calls.size());
  std::vector<int> reports(calls.size());
  transport.Execute(calls, [&](size_t index, HttpResult&& result) {
    ++reports[index];
    results[index] = std::move(result);
    return true;
  });
  for (size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(reports[i], 1) << "call " << i;
  return results;
}

inline size_t CountOk(const std::vector<HttpResult>& results) {
  size_t ok = 0;
  for (const HttpResult& result : results) ok += result.ok();
  return ok;
}

// Records how many requests a handler has in progress at once.
struct ConcurrencyProbe {
  std::atomic<int> now{0};
  std::atomic<int> max{0};
  std::atomic<int> total{0};
  void Enter() {
    ++total;
    int current = ++now;
    int seen = max.load();
    while (current > seen && !max.compare_exchange_weak(seen, current)) {
    }
  }
  void Leave() { --now; }
};

inline void AddSlowHandler(FakeServer& fake, ConcurrencyProbe& probe, milliseconds delay) {
  fake.server().Post("/v1/slow", [&fake, &probe, delay](const auto&, auto& res) {
    probe.Enter();
    fake.SleepUnlessStopping(delay);
    probe.Leave();
    res.set_content("{}", "application/json");
  });
}

}  // namespace kaieval::model::testing

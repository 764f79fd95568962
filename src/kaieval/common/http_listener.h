// HttpListener: an httplib server set up the way every kaieval server needs it (a wide listen
// backlog, a thread pool, timeouts, a body-size cap, no SO_REUSEPORT), started on a background
// thread. The reference model server and the contest server register their routes on http().
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>

namespace kaieval {

struct ListenerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;                          // 0: any free port
  int threads = 128;                        // one per open connection; more connections queue
  size_t max_body_bytes = size_t{1} << 20;  // larger request bodies get 413
  int keep_alive_seconds = 2;               // an idle connection is closed after this
};

class HttpListener {
 public:
  // Throws InputError for options out of range.
  explicit HttpListener(ListenerOptions options);
  ~HttpListener();  // Stop()s
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  httplib::Server& http() { return http_; }
  const ListenerOptions& options() const { return options_; }

  // Binds, then serves on a background thread; returns the bound port (the chosen one when
  // options.port is 0). Throws InputError when the address cannot be bound.
  int Start();

  // Stops accepting, lets requests in flight finish and joins the threads (this can take up to
  // keep_alive_seconds while a client holds an idle connection). Safe to call twice.
  void Stop();

 private:
  // httplib listens with a backlog of 5, so a burst of hundreds of connects would wait for SYN
  // retransmits; listen() again on the bound socket raises it.
  class WideBacklogServer : public httplib::Server {
   public:
    void RaiseBacklog(int backlog);
  };

  ListenerOptions options_;
  WideBacklogServer http_;
  std::thread listener_;
  std::atomic<bool> listener_done_{false};
};

}  // namespace kaieval

#include "kaieval/common/http_listener.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <chrono>

#include "kaieval/common/error.h"

namespace kaieval {
namespace {

constexpr int kListenBacklog = 1024;
// Requests per connection before the server closes it, so that connections waiting for a worker
// (more open connections than threads) get their turn.
constexpr size_t kKeepAliveMaxRequests = 20;
constexpr time_t kReadWriteTimeoutSeconds = 10;

}  // namespace

void HttpListener::WideBacklogServer::RaiseBacklog(int backlog) { ::listen(svr_sock_, backlog); }

HttpListener::HttpListener(ListenerOptions options) : options_(std::move(options)) {
  const ListenerOptions& o = options_;
  if (o.threads < 1) throw InputError(fmt::format("threads must be >= 1, got {}", o.threads));
  if (o.port < 0 || o.port > 65535) {
    throw InputError(fmt::format("port must be from 0 to 65535, got {}", o.port));
  }
  if (o.max_body_bytes == 0) throw InputError("max body bytes must be >= 1");
  http_.new_task_queue = [threads = o.threads] { return new httplib::ThreadPool(threads); };
  http_.set_keep_alive_timeout(std::max(1, o.keep_alive_seconds));
  http_.set_keep_alive_max_count(kKeepAliveMaxRequests);
  http_.set_read_timeout(kReadWriteTimeoutSeconds, 0);
  http_.set_write_timeout(kReadWriteTimeoutSeconds, 0);
  http_.set_payload_max_length(o.max_body_bytes);
  http_.set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT, which would let a second server share a busy port.
  http_.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
}

HttpListener::~HttpListener() { Stop(); }

int HttpListener::Start() {
  if (listener_.joinable()) throw std::logic_error("HttpListener::Start called twice");
  int port = options_.port == 0
                 ? http_.bind_to_any_port(options_.host)
                 : (http_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port <= 0) {
    throw InputError(fmt::format(
        "cannot listen on {}:{} (is the port in use, or the host not an address of this machine?)",
        options_.host, options_.port));
  }
  http_.RaiseBacklog(kListenBacklog);
  listener_ = std::thread([this] {
    http_.listen_after_bind();
    listener_done_ = true;
  });
  // httplib's stop() does nothing before listen_after_bind() has begun: wait for it, so that a
  // Stop() right after Start() cannot be lost.
  while (!http_.is_running() && !listener_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port;
}

void HttpListener::Stop() {
  if (!listener_.joinable()) return;
  http_.stop();
  listener_.join();
}

}  // namespace kaieval

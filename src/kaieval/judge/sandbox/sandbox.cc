#include "kaieval/judge/sandbox/sandbox.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "kaieval/common/error.h"
#include "kaieval/judge/sandbox/child_process.h"
#include "kaieval/judge/sandbox/seccomp_filter.h"

namespace kaieval::sandbox {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

Error Internal(const std::string& what) { return Error(ExitCode::kInternal, "sandbox: " + what); }

// The program's private folder: created empty, removed with all it wrote.
class WorkDir {
 public:
  WorkDir() {
    std::string pattern = (fs::temp_directory_path() / "kaieval_sandbox_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Internal(fmt::format("cannot create {}: {}", pattern, std::strerror(errno)));
    }
    path_ = pattern;
  }
  ~WorkDir() {
    std::error_code ec;
    // A program may leave folders without permissions; give them back before removing. Never
    // through a symbolic link: the program may have pointed one at a host folder.
    for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->symlink_status(ec).type() == fs::file_type::directory) {
        ::fchmodat(AT_FDCWD, it->path().c_str(), 0700, AT_SYMLINK_NOFOLLOW);
      }
    }
    fs::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// An fd number above 9, so that the child's dup2 onto 0-3 never clobbers another of them.
UniqueFd High(UniqueFd fd) {
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 10);
  if (moved < 0) throw Internal(fmt::format("fcntl: {}", std::strerror(errno)));
  return UniqueFd(moved);
}

std::pair<UniqueFd, UniqueFd> OutputPipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Internal(fmt::format("pipe: {}", std::strerror(errno)));
  return {UniqueFd(fds[0]), High(UniqueFd(fds[1]))};
}

void CheckProgram(const Program& p) {
  if (p.argv.empty() || p.argv[0].empty() || p.argv[0][0] != '/') {
    throw std::invalid_argument("sandbox: argv[0] must be an absolute path");
  }
  for (const auto& [name, content] : p.files) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      throw std::invalid_argument("sandbox: file name must be a plain name: '" + name + "'");
    }
  }
}

void Fill(std::vector<std::string>& storage, std::vector<char*>& pointers) {
  for (auto& s : storage) pointers.push_back(s.data());
  pointers.push_back(nullptr);
}

// Reads what is there into `out`, up to `cap` bytes; returns false at EOF.
bool Drain(int fd, std::string& out, size_t cap, bool& over) {
  char buf[65536];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  size_t room = cap > out.size() ? cap - out.size() : 0;
  out.append(buf, std::min(room, static_cast<size_t>(n)));
  if (static_cast<size_t>(n) > room) over = true;
  return true;
}

}  // namespace

std::string_view IsolationName(Isolation isolation) {
  return isolation == Isolation::kNamespaces ? "namespaces" : "process_only";
}

std::string_view TerminationName(Termination t) {
  switch (t) {
    case Termination::kExited:
      return "exited";
    case Termination::kSignaled:
      return "signaled";
    case Termination::kTimedOut:
      return "timed_out";
    case Termination::kOutputLimit:
      return "output_limit";
  }
  return "?";
}

Sandbox::Sandbox(SandboxOptions options) : options_(options) {
  if (options_.force_process_only || !NamespacesWork()) {
    if (!options_.force_process_only && !options_.allow_process_only) {
      throw Error(ExitCode::kInternal,
                  "sandbox: this kernel does not let kaieval create user and network namespaces "
                  "(see docs/sandbox.md); refusing to run untrusted code without them");
    }
    isolation_ = Isolation::kProcessOnly;
  }
}

RunResult Sandbox::Run(const Program& program) const {
  CheckProgram(program);
  WorkDir dir;
  bool as_root = ::geteuid() == 0;
  for (const auto& [name, content] : program.files) {
    std::ofstream out(dir.path() / name, std::ios::binary);
    out << content;
    if (!out) throw Internal(fmt::format("cannot write {}", (dir.path() / name).string()));
  }
  if (as_root) {
    // The program runs as nobody: its folder (and the files in it) must be nobody's.
    if (::chown(dir.path().c_str(), options_.unprivileged_uid, options_.unprivileged_gid) != 0) {
      throw Internal(fmt::format("chown {}: {}", dir.path().string(), std::strerror(errno)));
    }
    for (const auto& [name, content] : program.files) {
      ::chown((dir.path() / name).c_str(), options_.unprivileged_uid, options_.unprivileged_gid);
    }
  }

  ChildPlan plan;
  plan.argv_storage = program.argv;
  std::string home = dir.path().string();
  plan.env_storage = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home, "TMPDIR=" + home,
                      "LANG=C.UTF-8"};
  Fill(plan.argv_storage, plan.argv);
  Fill(plan.env_storage, plan.envp);
  plan.workdir = home;
  plan.workdir_parent = dir.path().parent_path().string();
  plan.filter = BuildSeccompFilter();
  plan.limits = program.limits;
  plan.namespaces = isolation_ == Isolation::kNamespaces;
  plan.change_ids = as_root;
  plan.uid = options_.unprivileged_uid;
  plan.gid = options_.unprivileged_gid;
  UniqueFd devnull = High(UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
  auto [out_read, out_write] = OutputPipe();
  auto [err_read, err_write] = OutputPipe();
  plan.stdin_fd = devnull.get();
  plan.stdout_fd = out_write.get();
  plan.stderr_fd = err_write.get();

  RunResult result;
  result.isolation = isolation_;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(program.limits.wall_seconds));
  SandboxChild child = SandboxChild::Start(plan);
  devnull.Reset();
  out_write.Reset();
  err_write.Reset();

  bool out_open = true, err_open = true, exited = false, over = false, timed_out = false;
  while (out_open || err_open || !exited) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3] = {{out_open ? out_read.get() : -1, POLLIN, 0},
                     {err_open ? err_read.get() : -1, POLLIN, 0},
                     {exited ? -1 : child.pidfd(), POLLIN, 0}};
    int n = ::poll(fds, 3, static_cast<int>(std::min<int64_t>(left.count() + 1, 1000)));
    if (n < 0 && errno != EINTR) throw Internal(fmt::format("poll: {}", std::strerror(errno)));
    if (n <= 0) continue;
    if (fds[0].revents)
      out_open = Drain(out_read.get(), result.stdout_text, program.limits.output_bytes, over);
    if (fds[1].revents)
      err_open = Drain(err_read.get(), result.stderr_text, program.limits.output_bytes, over);
    if (fds[2].revents) exited = true;
    if (over) break;
  }
  if (timed_out || over) child.KillAll();
  ChildExit exit = child.Wait();
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (timed_out) {
    result.termination = Termination::kTimedOut;
  } else if (over) {
    result.termination = Termination::kOutputLimit;
  } else if (exit.signaled) {
    result.termination = Termination::kSignaled;
  } else {
    result.termination = Termination::kExited;
  }
  if (exit.signaled) {
    result.signal = exit.status;
  } else {
    result.exit_code = exit.status;
  }
  return result;
}

Program PythonProgram(std::string source, const Limits& limits) {
  Program p;
  p.argv = {kPythonPath, "-I", "-S", "-B", "main.py"};
  p.files = {{"main.py", std::move(source)}};
  p.limits = limits;
  return p;
}

std::vector<RunResult> RunAll(const Sandbox& sandbox, std::span<const Program> programs,
                              int concurrency) {
  std::vector<RunResult> results(programs.size());
  std::vector<std::exception_ptr> errors(programs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < programs.size(); i = next++) {
      try {
        results[i] = sandbox.Run(programs[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  size_t threads = std::min<size_t>(std::max(concurrency, 1), programs.size());
  std::vector<std::jthread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  pool.clear();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return results;
}

}  // namespace kaieval::sandbox

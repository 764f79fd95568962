#include "kaieval/judge/sandbox/child_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "kaieval/common/error.h"

namespace kaieval::sandbox {
namespace {

constexpr uint64_t kNamespaceFlags =
    CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;

// What the child reports on its error pipe when a step fails (execve succeeding closes it).
enum class Step : int {
  kSync = 1,
  kSetsid,
  kMountPrivate,
  kBindWorkdir,
  kProc,
  kHideSiblings,
  kReadOnly,
  kWritableWorkdir,
  kRlimit,
  kChdir,
  kIds,
  kFds,
  kNoNewPrivs,
  kSeccomp,
  kExec,
};
struct ChildError {
  Step step;
  int err;
};

const char* StepName(Step step) {
  switch (step) {
    case Step::kSync:
      return "waiting for the uid map";
    case Step::kSetsid:
      return "setsid";
    case Step::kMountPrivate:
      return "making mounts private";
    case Step::kBindWorkdir:
      return "binding the working folder";
    case Step::kProc:
      return "mounting /proc";
    case Step::kHideSiblings:
      return "hiding the temporary folder";
    case Step::kReadOnly:
      return "making the filesystem read-only";
    case Step::kWritableWorkdir:
      return "making the working folder writable";
    case Step::kRlimit:
      return "setting rlimits";
    case Step::kChdir:
      return "entering the working folder";
    case Step::kIds:
      return "switching uid/gid";
    case Step::kFds:
      return "setting up stdin/stdout/stderr";
    case Step::kNoNewPrivs:
      return "PR_SET_NO_NEW_PRIVS";
    case Step::kSeccomp:
      return "loading the seccomp filter";
    case Step::kExec:
      return "execve";
  }
  return "?";
}

// The error pipe's write end in the child, after the fds are rearranged.
constexpr int kChildErrorFd = 3;

[[noreturn]] void Fail(int fd, Step step) {
  ChildError e{step, errno};
  ssize_t ignored = ::write(fd, &e, sizeof e);
  (void)ignored;
  ::_exit(126);
}

int MountSetattr(const char* path, unsigned flags, uint64_t set, uint64_t clear) {
  struct mount_attr attr {};
  attr.attr_set = set;
  attr.attr_clr = clear;
  return static_cast<int>(::syscall(SYS_mount_setattr, AT_FDCWD, path, flags, &attr, sizeof attr));
}

// Read-only everywhere but the working folder; /proc shows only this PID namespace.
void SetUpMounts(const ChildPlan& plan, int err_fd) {
  const char* dir = plan.workdir.c_str();
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    Fail(err_fd, Step::kMountPrivate);
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0 &&
      // Some container runtimes forbid a fresh proc; an empty tmpfs still hides the host's.
      ::mount("none", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k") != 0) {
    Fail(err_fd, Step::kProc);
  }
  // An empty tmpfs over the temporary folder hides the other programs' folders (same uid);
  // the working folder comes back at its own path through a descriptor opened before (in this
  // mount namespace: a bind source must belong to it).
  int workdir_fd = ::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (workdir_fd < 0) Fail(err_fd, Step::kBindWorkdir);
  if (::mount("none", plan.workdir_parent.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
              "size=64k,mode=755") != 0 ||
      ::mkdir(dir, 0700) != 0) {
    Fail(err_fd, Step::kHideSiblings);
  }
  char fd_path[64];
  std::snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", workdir_fd);
  if (::mount(fd_path, dir, nullptr, MS_BIND, nullptr) != 0) Fail(err_fd, Step::kBindWorkdir);
  ::close(workdir_fd);
  if (MountSetattr("/", AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0) != 0) {
    Fail(err_fd, Step::kReadOnly);
  }
  if (MountSetattr(dir, 0, 0, MOUNT_ATTR_RDONLY) != 0) Fail(err_fd, Step::kWritableWorkdir);
}

void SetLimits(const Limits& l, int err_fd) {
  auto set = [&](int resource, rlim_t value) {
    struct rlimit r {
      value, value
    };
    if (::setrlimit(resource, &r) != 0) Fail(err_fd, Step::kRlimit);
  };
  struct rlimit cpu {
    static_cast<rlim_t>(l.cpu_seconds), static_cast<rlim_t>(l.cpu_seconds) + 1
  };
  if (::setrlimit(RLIMIT_CPU, &cpu) != 0) Fail(err_fd, Step::kRlimit);
  set(RLIMIT_AS, l.memory_bytes);
  set(RLIMIT_FSIZE, l.file_bytes);
  set(RLIMIT_NPROC, static_cast<rlim_t>(l.processes));
  set(RLIMIT_NOFILE, static_cast<rlim_t>(l.open_files));
  set(RLIMIT_CORE, 0);
}

// Runs in the cloned child: only system calls on memory prepared by the parent.
[[noreturn]] void ChildMain(const ChildPlan& plan, int sync_read, int sync_write, int err_write) {
  ::close(sync_write);
  if (plan.namespaces) {
    char byte;
    if (::read(sync_read, &byte, 1) != 1) Fail(err_write, Step::kSync);
  }
  ::close(sync_read);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::setsid() < 0) Fail(err_write, Step::kSetsid);
  if (plan.change_ids) {
    // First, so that what the mounts create has an owner mapped in the namespace (the
    // capabilities in it stay until execve). Raw system calls: glibc's wrappers would try to
    // change the ids of the evaluator's other threads too (which this child does not have)
    // and wait for them forever.
    if (::syscall(SYS_setgroups, 0, nullptr) != 0) Fail(err_write, Step::kIds);
    if (::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0) Fail(err_write, Step::kIds);
    if (::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) Fail(err_write, Step::kIds);
  }
  if (plan.namespaces) SetUpMounts(plan, err_write);
  SetLimits(plan.limits, err_write);
  if (::chdir(plan.workdir.c_str()) != 0) Fail(err_write, Step::kChdir);
  // stdin, stdout, stderr, the error pipe as fd 3 (close-on-exec), nothing else.
  if (err_write != kChildErrorFd && ::dup3(err_write, kChildErrorFd, O_CLOEXEC) < 0) {
    Fail(err_write, Step::kFds);
  }
  if (::dup2(plan.stdin_fd, 0) < 0 || ::dup2(plan.stdout_fd, 1) < 0 ||
      ::dup2(plan.stderr_fd, 2) < 0) {
    Fail(kChildErrorFd, Step::kFds);
  }
  if (::syscall(SYS_close_range, kChildErrorFd + 1, ~0U, 0) != 0) Fail(kChildErrorFd, Step::kFds);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Fail(kChildErrorFd, Step::kNoNewPrivs);
  struct sock_fprog prog {
    static_cast<unsigned short>(plan.filter.size()), const_cast<sock_filter*>(plan.filter.data())
  };
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    Fail(kChildErrorFd, Step::kSeccomp);
  }
  ::execve(plan.argv[0], plan.argv.data(), plan.envp.data());
  Fail(kChildErrorFd, Step::kExec);
}

std::pair<UniqueFd, UniqueFd> Pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw Error(ExitCode::kInternal, fmt::format("sandbox: pipe: {}", std::strerror(errno)));
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void WriteProcFile(pid_t pid, const char* name, const std::string& text) {
  std::string path = fmt::format("/proc/{}/{}", pid, name);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid() ||
      ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    throw Error(ExitCode::kInternal,
                fmt::format("sandbox: writing {}: {}", path, std::strerror(errno)));
  }
}

// clone3 without a stack: fork semantics, plus namespaces and a pidfd. Returns the pid (0 in
// the child) or -1 with errno.
pid_t Clone(uint64_t flags, int* pidfd) {
  struct clone_args args {};
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(pidfd);
  args.exit_signal = SIGCHLD;
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

}  // namespace

SandboxChild SandboxChild::Start(const ChildPlan& plan) {
  auto [sync_read, sync_write] = Pipe();
  auto [err_read, err_write] = Pipe();
  int pidfd = -1;
  pid_t pid = Clone(plan.namespaces ? kNamespaceFlags : 0, &pidfd);
  if (pid == 0) ChildMain(plan, sync_read.get(), sync_write.get(), err_write.get());
  if (pid < 0) {
    throw Error(ExitCode::kInternal, fmt::format("sandbox: clone3: {}", std::strerror(errno)));
  }
  SandboxChild child(pid, UniqueFd(pidfd));
  sync_read.Reset();
  err_write.Reset();
  if (plan.namespaces) {
    // The child's uid inside maps to the unprivileged uid outside (root evaluator: nobody;
    // otherwise the evaluator's own uid, the only one an unprivileged process may map).
    uid_t outer_uid = plan.change_ids ? plan.uid : ::geteuid();
    gid_t outer_gid = plan.change_ids ? plan.gid : ::getegid();
    if (!plan.change_ids) WriteProcFile(pid, "setgroups", "deny");
    WriteProcFile(pid, "uid_map", fmt::format("{} {} 1\n", outer_uid, outer_uid));
    WriteProcFile(pid, "gid_map", fmt::format("{} {} 1\n", outer_gid, outer_gid));
    char go = 1;
    if (::write(sync_write.get(), &go, 1) != 1) {
      throw Error(ExitCode::kInternal,
                  fmt::format("sandbox: releasing the child: {}", std::strerror(errno)));
    }
  }
  sync_write.Reset();
  // EOF: execve succeeded (the pipe is close-on-exec). Data: the step that failed.
  ChildError e{};
  ssize_t n;
  do n = ::read(err_read.get(), &e, sizeof e);
  while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof e)) {
    throw Error(ExitCode::kInternal, fmt::format("sandbox: the child failed at {}: {}",
                                                 StepName(e.step), std::strerror(e.err)));
  }
  return child;
}

SandboxChild::~SandboxChild() {
  if (pid_ > 0 && !reaped_) {
    KillAll();
    Wait();
  }
}

void SandboxChild::KillAll() {
  if (reaped_) return;
  ::kill(-pid_, SIGKILL);
  ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
}

ChildExit SandboxChild::Wait() {
  siginfo_t info{};
  int rc;
  do rc = ::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED);
  while (rc < 0 && errno == EINTR);
  reaped_ = true;
  if (rc < 0) return {true, SIGKILL};
  if (info.si_code == CLD_EXITED) return {false, info.si_status};
  return {true, info.si_status};
}

bool NamespacesWork() {
  int pidfd = -1;
  pid_t pid = Clone(kNamespaceFlags, &pidfd);
  if (pid == 0) ::_exit(0);
  if (pid < 0) return false;
  SandboxChild child(pid, UniqueFd(pidfd));
  ChildExit exit = child.Wait();
  return !exit.signaled && exit.status == 0;
}

}  // namespace kaieval::sandbox

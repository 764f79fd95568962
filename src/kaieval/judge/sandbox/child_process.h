// SandboxChild: the clone3 of one sandboxed program and what the child does between clone and
// execve (namespaces, mounts, rlimits, ids, seccomp). Sandbox::Run prepares a ChildPlan, starts
// the child and owns it until it is reaped; the destructor kills and reaps a child still alive.
#pragma once

#include <linux/filter.h>
#include <signal.h>
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "kaieval/judge/sandbox/sandbox.h"
#include "kaieval/judge/sandbox/unique_fd.h"

namespace kaieval::sandbox {

// Everything the child needs, built in the parent: after clone the child only reads it and makes
// system calls (no allocation, no locks: the evaluator has other threads).
struct ChildPlan {
  std::vector<std::string> argv_storage, env_storage;
  std::vector<char*> argv, envp;  // null-terminated, pointing into the storages
  std::string workdir;
  std::string workdir_parent;  // hidden under an empty tmpfs, so that siblings are not visible
  std::vector<sock_filter> filter;
  Limits limits;
  bool namespaces = true;
  // Switch to uid/gid before execve (a root evaluator: to nobody).
  bool change_ids = false;
  uid_t uid = 0;
  gid_t gid = 0;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;  // all above 2
};

// The exit of a reaped child.
struct ChildExit {
  bool signaled = false;
  int status = 0;  // exit code, or signal number
};

bool NamespacesWork();

class SandboxChild {
 public:
  // Clones the child into the plan's namespaces, writes its uid and gid maps, releases it and
  // waits until it has called execve. Throws kaieval::Error naming the step that failed.
  static SandboxChild Start(const ChildPlan& plan);

  SandboxChild(SandboxChild&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)),
        pidfd_(std::move(other.pidfd_)),
        reaped_(std::exchange(other.reaped_, true)) {}
  SandboxChild& operator=(SandboxChild&&) = delete;
  ~SandboxChild();

  int pidfd() const { return pidfd_.get(); }
  // SIGKILL to the child's process group and the child (in its own PID namespace, that ends
  // every process it started, even those that left the group).
  void KillAll();
  // Blocks until the child has exited and reaps it.
  ChildExit Wait();

 private:
  friend bool NamespacesWork();
  SandboxChild(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  bool reaped_ = false;
};

// Whether this kernel lets this process create user + network + mount + PID namespaces (a
// trial child that exits at once).
bool NamespacesWork();

}  // namespace kaieval::sandbox

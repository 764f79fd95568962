// Sandbox: runs one untrusted program (model-written code) in a child process with its own
// user, network, mount, PID, IPC and UTS namespaces, a read-only view of the filesystem except
// a private working folder, rlimits, a seccomp filter, an empty environment and a wall-clock
// timeout that kills everything it started. The code-execution metrics of bench/ call it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kaieval::sandbox {

// Resource limits of one program. CPU and wall time in seconds; sizes in bytes.
struct Limits {
  double wall_seconds = 10;
  int cpu_seconds = 10;                   // RLIMIT_CPU: SIGXCPU, then SIGKILL one second later
  uint64_t memory_bytes = 1024ull << 20;  // RLIMIT_AS
  uint64_t file_bytes = 16ull << 20;      // RLIMIT_FSIZE: largest file it may write
  int processes = 32;                     // RLIMIT_NPROC: processes and threads, its own
  int open_files = 64;                    // RLIMIT_NOFILE
  size_t output_bytes = 1 << 20;          // stdout and stderr each; past it the run is killed
};

enum class Isolation {
  // User, network, mount, PID, IPC and UTS namespaces + read-only filesystem + the rest.
  kNamespaces,
  // No namespaces (the kernel refuses unprivileged user namespaces): rlimits, seccomp, empty
  // environment, own process group, and, when the evaluator is root, an unprivileged uid.
  kProcessOnly,
};
std::string_view IsolationName(Isolation isolation);

struct SandboxOptions {
  // kNamespaces falls back to kProcessOnly only when `allow_process_only`; otherwise a machine
  // without user namespaces makes the constructor throw.
  bool allow_process_only = false;
  // Force kProcessOnly (tests of the fallback, or a machine where namespaces are known broken).
  bool force_process_only = false;
  // The uid and gid a root evaluator runs programs as (nobody / nogroup). A non-root evaluator
  // runs them as itself, inside the namespaces.
  uid_t unprivileged_uid = 65534;
  gid_t unprivileged_gid = 65534;
};

// One program: argv[0] is an absolute path; `files` are written into the working folder first
// (name relative to it, no "/" or ".."); stdin is /dev/null. The working folder is the current
// directory, HOME and TMPDIR, and the only writable place.
struct Program {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> files;
  Limits limits;
};

enum class Termination {
  kExited,       // exit_code holds its status
  kSignaled,     // signal holds the signal (SIGXCPU/SIGKILL after the CPU limit, SIGSYS, ...)
  kTimedOut,     // the wall-clock limit passed; everything it started was killed
  kOutputLimit,  // it wrote more than limits.output_bytes; killed
};
std::string_view TerminationName(Termination termination);

struct RunResult {
  Termination termination = Termination::kExited;
  int exit_code = -1;
  int signal = 0;
  std::string stdout_text;
  std::string stderr_text;
  double wall_seconds = 0;
  Isolation isolation = Isolation::kNamespaces;

  bool succeeded() const { return termination == Termination::kExited && exit_code == 0; }
};

class Sandbox {
 public:
  // Decides the isolation (a trial child in fresh namespaces). Throws kaieval::Error when
  // namespaces do not work and `allow_process_only` is false.
  explicit Sandbox(SandboxOptions options = {});

  // Runs the program to its end, its timeout or its output limit. Thread-safe: programs may
  // run concurrently from several threads. Throws kaieval::Error (internal) when the sandbox
  // itself cannot be set up (the child reports which step failed), never for what the program
  // does.
  RunResult Run(const Program& program) const;

  Isolation isolation() const { return isolation_; }

 private:
  SandboxOptions options_;
  Isolation isolation_ = Isolation::kNamespaces;
};

// A Python 3 program from the Debian interpreter: `source` written as main.py and run with
// `-I -S -B`: isolated mode (no PYTHON* variables, no user site), no `site` (the standard
// library only, and some 15 ms less start-up per program), no .pyc writes.
Program PythonProgram(std::string source, const Limits& limits = {});

// The interpreter PythonProgram uses.
inline constexpr const char* kPythonPath = "/usr/bin/python3";

// Runs the programs on up to `concurrency` threads; result i belongs to program i.
std::vector<RunResult> RunAll(const Sandbox& sandbox, std::span<const Program> programs,
                              int concurrency);

}  // namespace kaieval::sandbox

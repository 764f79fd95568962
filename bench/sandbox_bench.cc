// The sandbox's start-up cost and throughput (bench/sandbox.sh): latency of one trivial program
// run after another, then programs per second with several runs at once.
// Usage: sandbox_bench RUNS CONCURRENCY [PROGRAM ARGS...]   (default program: /bin/true)
// SANDBOX_BENCH_PROCESS_ONLY=1 forces the process-only isolation (for comparison).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kaieval/judge/sandbox/sandbox.h"

namespace sb = kaieval::sandbox;
using Clock = std::chrono::steady_clock;

// CPU seconds (user + system) of this process and its reaped children so far.
double CpuSeconds() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    getrusage(who, &u);
    total +=
        u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }
  return total;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sandbox_bench RUNS CONCURRENCY [PROGRAM ARGS...]\n");
    return 2;
  }
  int runs = std::atoi(argv[1]), concurrency = std::atoi(argv[2]);
  sb::Program program;
  for (int i = 3; i < argc; ++i) program.argv.push_back(argv[i]);
  if (program.argv.empty()) program.argv = {"/bin/true"};
  // SANDBOX_BENCH_PROCESS_ONLY=1: without namespaces, to see what they cost.
  const char* weak = std::getenv("SANDBOX_BENCH_PROCESS_ONLY");
  sb::Sandbox sandbox(sb::SandboxOptions{.force_process_only = weak != nullptr && *weak == '1'});
  std::string label;
  for (const auto& a : program.argv) label += (label.empty() ? "" : " ") + a;

  std::vector<double> ms;
  double cpu_before = CpuSeconds();
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    sb::RunResult r = sandbox.Run(program);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!r.succeeded()) {
      std::fprintf(stderr, "run %d failed: %s\n", i, r.stderr_text.c_str());
      return 1;
    }
  }
  double cpu_ms = (CpuSeconds() - cpu_before) * 1000 / runs;
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double m : ms) sum += m;
  std::printf(
      "%-36s isolation %s, one at a time: mean %.2f ms, p50 %.2f ms, p95 %.2f ms; "
      "CPU %.2f ms per program (sandbox + program)\n",
      label.c_str(), std::string(sb::IsolationName(sandbox.isolation())).c_str(), sum / runs,
      ms[ms.size() / 2], ms[ms.size() * 95 / 100], cpu_ms);

  std::vector<sb::Program> batch(static_cast<size_t>(runs), program);
  auto start = Clock::now();
  auto results = sb::RunAll(sandbox, batch, concurrency);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& r : results) {
    if (!r.succeeded()) return 1;
  }
  std::printf("%-36s %d at once: %d programs in %.2f s = %.0f programs/s\n", label.c_str(),
              concurrency, runs, seconds, runs / seconds);
  return 0;
}

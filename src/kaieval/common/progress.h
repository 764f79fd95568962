// A progress bar for long work (requests, items, files). On a terminal it redraws one line;
// elsewhere (CI logs, pipes) it prints a plain line at most every few seconds. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace kaieval {

class ProgressBar {
 public:
  // `out` is usually stderr; `total` may be 0 when unknown. A disabled bar prints nothing.
  ProgressBar(std::string label, uint64_t total, std::FILE* out = stderr, bool enabled = true);
  ~ProgressBar();

  // `cached`: the work was answered from a cache (shown as a count of its own).
  void Advance(uint64_t n = 1, bool cached = false);
  // Draws the final line. Call it when the work is done; a bar destroyed without it leaves
  // only what it had drawn.
  void Finish();

  // The line as it would be drawn now, for tests and logs.
  std::string Render() const;

 private:
  void Draw(bool final);

  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  uint64_t cached_ = 0;
  std::FILE* out_;
  bool enabled_;
  bool tty_;
  bool finished_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  mutable std::mutex mu_;
};

}  // namespace kaieval

// RateLimiter: a sliding one-hour window of events per key (a session, a client address). The
// contest checks votes against it; it is rebuilt from the store's votes when the server starts.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace kaieval::arena {

class RateLimiter {
 public:
  RateLimiter(int per_hour) : per_hour_(per_hour) {}

  // If `key` has fewer than per_hour events in the hour before `now_ms`, records one and returns
  // 0; otherwise returns how many ms until the oldest event leaves the window (> 0).
  int64_t TryAcquire(const std::string& key, int64_t now_ms);
  // Records an event without checking (rebuilding from the store).
  void Record(const std::string& key, int64_t at_ms);

 private:
  static constexpr int64_t kWindowMs = 3600 * 1000;
  int per_hour_;
  std::unordered_map<std::string, std::deque<int64_t>> events_;
};

}  // namespace kaieval::arena

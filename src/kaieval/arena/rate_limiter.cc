#include "kaieval/arena/rate_limiter.h"

namespace kaieval::arena {

int64_t RateLimiter::TryAcquire(const std::string& key, int64_t now_ms) {
  auto& times = events_[key];
  while (!times.empty() && times.front() <= now_ms - kWindowMs) times.pop_front();
  if (static_cast<int>(times.size()) >= per_hour_) return times.front() + kWindowMs - now_ms;
  times.push_back(now_ms);
  return 0;
}

void RateLimiter::Record(const std::string& key, int64_t at_ms) { events_[key].push_back(at_ms); }

}  // namespace kaieval::arena

#include "kaieval/common/progress.h"

#include <fmt/format.h>
#include <unistd.h>

namespace kaieval {

ProgressBar::ProgressBar(std::string label, uint64_t total, std::FILE* out, bool enabled)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      enabled_(enabled && out != nullptr),
      tty_(out != nullptr && isatty(fileno(out))),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

// Destroyed without Finish() means the work was cut short (an error is on its way): end the
// terminal line so that the error prints on a line of its own, and print nothing else.
ProgressBar::~ProgressBar() {
  if (!finished_ && enabled_ && tty_ && drawn_) std::fputc('\n', out_);
}

void ProgressBar::Advance(uint64_t n, bool cached) {
  std::lock_guard lock(mu_);
  done_ += n;
  if (cached) cached_ += n;
  Draw(false);
}

void ProgressBar::Finish() {
  std::lock_guard lock(mu_);
  if (finished_) return;
  finished_ = true;
  Draw(true);
}

std::string ProgressBar::Render() const {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0 ? done_ / secs : 0.0;
  std::string cached = cached_ > 0 ? fmt::format(" ({} cached)", cached_) : "";
  if (total_ == 0) return fmt::format("{} {} done{}, {:.1f}/s", label_, done_, cached, rate);
  double frac = std::min(1.0, static_cast<double>(done_) / total_);
  constexpr int kWidth = 30;
  int filled = static_cast<int>(frac * kWidth);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  std::string eta = "--";
  if (rate > 0 && done_ < total_) eta = fmt::format("{:.0f}s", (total_ - done_) / rate);
  return fmt::format("{} [{}] {}/{}{} {:3.0f}% {:.1f}/s eta {}", label_, bar, done_, total_,
                     cached, frac * 100, rate, eta);
}

void ProgressBar::Draw(bool final) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  auto since = now - last_draw_;
  if (!final && tty_ && since < std::chrono::milliseconds(100)) return;
  if (!final && !tty_ && since < std::chrono::seconds(5)) return;
  last_draw_ = now;
  drawn_ = true;
  std::string line = Render();
  if (tty_) {
    std::fprintf(out_, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

}  // namespace kaieval

// libFuzzer target: arbitrary judge answers (untrusted model output) through every verdict
// parser and the refusal detector give a verdict or "unparseable", never a crash; a rating is
// always within the scale.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kaieval/judge/language.h"
#include "kaieval/judge/refusal_detector.h"
#include "kaieval/judge/verdict.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rating = kaieval::judge::ParseRating(text);
  if (rating.score && (*rating.score < 1 || *rating.score > 10)) __builtin_trap();
  if (rating.score.has_value() == (rating.method == kaieval::judge::ParseMethod::kUnparseable)) {
    __builtin_trap();
  }
  kaieval::judge::ParsePairVerdict(text);
  kaieval::judge::ParseRefusalVerdict(text);
  kaieval::judge::DetectRefusal(text);
  auto share = kaieval::judge::HangulShare(text);
  if (share && (*share < 0 || *share > 1)) __builtin_trap();
  return 0;
}

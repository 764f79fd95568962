#include "kaieval/judge/language.h"

#include <utf8proc.h>

namespace kaieval::judge {

std::optional<double> HangulShare(std::string_view text) {
  size_t letters = 0, hangul = 0;
  for (size_t i = 0; i < text.size();) {
    utf8proc_int32_t cp;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                              static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (n <= 0) {
      ++i;
      continue;
    }
    i += static_cast<size_t>(n);
    auto category = utf8proc_category(cp);
    bool letter = category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO;
    if (!letter) continue;
    ++letters;
    bool is_hangul = (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
                     (cp >= 0x3130 && cp <= 0x318F) || (cp >= 0xA960 && cp <= 0xA97F) ||
                     (cp >= 0xD7B0 && cp <= 0xD7FF);
    if (is_hangul) ++hangul;
  }
  if (letters == 0) return std::nullopt;
  return static_cast<double>(hangul) / static_cast<double>(letters);
}

bool PenaltyApplies(const LanguagePenalty& penalty, std::string_view question,
                    std::string_view answer) {
  if (!penalty.enabled) return false;
  auto q = HangulShare(question);
  if (!q || *q < penalty.min_hangul_share) return false;
  auto a = HangulShare(answer);
  return a && *a < penalty.min_hangul_share;
}

}  // namespace kaieval::judge

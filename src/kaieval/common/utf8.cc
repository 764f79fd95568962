#include "kaieval/common/utf8.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace kaieval {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid.
static size_t SequenceLength(std::string_view s, size_t i) {
  utf8proc_int32_t cp;
  auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                            static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t CodePointCount(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); ++count) {
    size_t n = SequenceLength(s, i);
    i += n == 0 ? 1 : n;
  }
  return count;
}

size_t ByteOffsetOfCodePoint(std::string_view s, size_t cp) {
  size_t i = 0;
  for (size_t k = 0; k < cp && i < s.size(); ++k) {
    size_t n = SequenceLength(s, i);
    i += n == 0 ? 1 : n;
  }
  return i;
}

std::string Utf8Excerpt(std::string_view s, size_t max_code_points) {
  size_t cut = ByteOffsetOfCodePoint(s, max_code_points);
  return cut < s.size() ? std::string(s.substr(0, cut)) + "..." : std::string(s);
}

std::vector<std::string> SplitCodePoints(std::string_view s) {
  std::vector<std::string> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = SequenceLength(s, i);
    if (n == 0) {
      out.emplace_back("\xEF\xBF\xBD");
      i += 1;
    } else {
      out.emplace_back(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

static std::string Normalize(std::string_view s, utf8proc_option_t options) {
  utf8proc_uint8_t* result = nullptr;
  auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                        static_cast<utf8proc_ssize_t>(s.size()), &result,
                        static_cast<utf8proc_option_t>(options | UTF8PROC_STABLE));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(result, &std::free);
  if (n < 0) return std::string(s);  // invalid UTF-8: leave the bytes as they are
  return std::string(reinterpret_cast<const char*>(result), static_cast<size_t>(n));
}

std::string NormalizeNfc(std::string_view s) {
  return Normalize(s, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE));
}

std::string NormalizeNfkc(std::string_view s) {
  return Normalize(s, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT));
}

std::string CaseFold(std::string_view s) {
  return Normalize(s, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
}

}  // namespace kaieval

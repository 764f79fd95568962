#include "kaieval/bench/list_literal.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"

namespace kaieval::bench {
namespace {

std::string Excerpt(std::string_view s) { return Utf8Excerpt(s, 60); }

void AppendUtf8(std::string& out, uint32_t cp) {
  utf8proc_uint8_t bytes[4];
  auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), bytes);
  out.append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(n));
}

// Recursive-descent parser for one list literal; every read is bounds-checked.
class ListLiteralParser {
 public:
  ListLiteralParser(std::string_view text, std::string_view where) : s_(text), where_(where) {}

  nlohmann::ordered_json Parse() {
    if (!IsValidUtf8(s_)) {
      throw InputError(
          fmt::format("{}: expected a list literal, got text that is not valid UTF-8", where_));
    }
    SkipSpace();
    if (!Eat('[')) Fail("expected '[' to open the list");
    auto list = nlohmann::ordered_json::array();
    SkipSpace();
    while (!Eat(']')) {
      list.push_back(Item());
      SkipSpace();
      if (Eat(',')) {
        SkipSpace();
      } else if (Peek() != ']') {
        Fail("expected ',' or ']' after an item");
      }
    }
    SkipSpace();
    if (i_ != s_.size()) Fail("unexpected text after the closing ']'");
    return list;
  }

 private:
  [[noreturn]] void Fail(std::string_view problem) const {
    throw InputError(
        fmt::format("{}: expected a list literal such as ['a', 'b']: {} at character "
                    "{}, in '{}'",
                    where_, problem, CodePointCount(s_.substr(0, i_)) + 1, Excerpt(s_)));
  }
  int Peek() const { return i_ < s_.size() ? static_cast<unsigned char>(s_[i_]) : -1; }
  bool Eat(char c) {
    if (Peek() != static_cast<unsigned char>(c)) return false;
    ++i_;
    return true;
  }
  void SkipSpace() {
    while (i_ < s_.size() &&
           std::string_view(" \t\n\r\f\v").find(s_[i_]) != std::string_view::npos) {
      ++i_;
    }
  }

  nlohmann::ordered_json Item() {
    int c = Peek();
    if ((c == 'u' || c == 'U') && i_ + 1 < s_.size() && (s_[i_ + 1] == '\'' || s_[i_ + 1] == '"')) {
      c = s_[++i_];
    }
    if (c == '\'' || c == '"') return String(static_cast<char>(c));
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') return Number();
    Fail("expected a quoted string or a number");
  }

  std::string String(char quote) {
    ++i_;
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) Fail("unterminated string (no closing quote)");
      char c = s_[i_++];
      if (c == quote) return out;
      if (c == '\n' || c == '\r') Fail("a line break inside a quoted string (write \\n)");
      if (c == '\\') {
        Escape(out);
      } else {
        out.push_back(c);
      }
    }
  }

  uint32_t Hex(size_t digits) {
    uint32_t value = 0;
    for (size_t k = 0; k < digits; ++k) {
      int c = Peek();
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) Fail(fmt::format("expected {} hex digits in an escape", digits));
      value = value * 16 + static_cast<uint32_t>(d);
      ++i_;
    }
    return value;
  }

  void CodePoint(std::string& out, uint32_t cp) {
    if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(i_).starts_with("\\u")) {
      size_t at = i_;
      i_ += 2;
      uint32_t low = Hex(4);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else {
        i_ = at;
      }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) Fail("a lone surrogate in a \\u escape");
    if (cp > 0x10FFFF) Fail("an escape beyond U+10FFFF");
    AppendUtf8(out, cp);
  }

  void Escape(std::string& out) {
    if (i_ >= s_.size()) Fail("unterminated string (ends in a backslash)");
    char e = s_[i_++];
    // Simple escapes: the character after the backslash, and what it stands for.
    static constexpr std::string_view kFrom = "\\'\"/ntrbfva";
    static constexpr std::string_view kTo = "\\'\"/\n\t\r\b\f\v\a";
    if (size_t k = kFrom.find(e); k != std::string_view::npos) {
      out.push_back(kTo[k]);
    } else if (e == '\n') {
      // A line continuation stands for nothing.
    } else if (e == 'x' || e == 'u' || e == 'U') {
      CodePoint(out, Hex(e == 'x' ? 2 : e == 'u' ? 4 : 8));
    } else if (e >= '0' && e <= '7') {
      uint32_t value = static_cast<uint32_t>(e - '0');
      for (int k = 0; k < 2 && Peek() >= '0' && Peek() <= '7'; ++k) {
        value = value * 8 + static_cast<uint32_t>(s_[i_++] - '0');
      }
      AppendUtf8(out, value);
    } else {
      out.push_back('\\');  // Python keeps an unknown escape as written
      out.push_back(e);
    }
  }

  nlohmann::ordered_json Number() {
    size_t start = i_;
    if (Peek() == '-' || Peek() == '+') ++i_;
    auto digits = [&] {
      size_t from = i_;
      while (Peek() >= '0' && Peek() <= '9') ++i_;
      return i_ - from;
    };
    size_t whole = digits();
    bool is_float = false;
    size_t fraction = 0;
    if (Eat('.')) {
      is_float = true;
      fraction = digits();
    }
    if (whole + fraction == 0) Fail("expected digits in a number");
    if (Peek() == 'e' || Peek() == 'E') {
      is_float = true;
      ++i_;
      if (Peek() == '-' || Peek() == '+') ++i_;
      if (digits() == 0) Fail("expected digits in a number's exponent");
    }
    std::string_view text = s_.substr(start, i_ - start);
    if (text[0] == '+') text.remove_prefix(1);
    if (!is_float) {
      int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) {
        Fail("an integer out of the 64-bit range");
      }
      return value;
    }
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
      Fail("a number out of range");
    }
    return value;
  }

  std::string_view s_;
  std::string_view where_;
  size_t i_ = 0;
};

}  // namespace

nlohmann::ordered_json ParseListLiteral(std::string_view text, std::string_view where) {
  return ListLiteralParser(text, where).Parse();
}

}  // namespace kaieval::bench

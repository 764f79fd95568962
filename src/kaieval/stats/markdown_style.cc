#include "kaieval/stats/markdown_style.h"

#include <string>

namespace kaieval::stats {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The answer without fenced code blocks: at each "```", if the next backtick after it starts
// another "```", the whole block goes; otherwise the scan moves on by one character (as a
// regular-expression search for ```[^`]*``` would).
std::string WithoutCodeBlocks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "```") == 0) {
      const size_t next = text.find('`', i + 3);
      if (next != std::string_view::npos && text.compare(next, 3, "```") == 0) {
        i = next + 3;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

// Counts spans marker marker text marker marker within one line, text at least one character
// without the marker or a newline; non-overlapping, left to right.
double CountDelimited(std::string_view text, char marker) {
  double count = 0;
  size_t i = 0;
  while (i + 1 < text.size()) {
    if (text[i] == marker && text[i + 1] == marker) {
      size_t j = i + 2;
      while (j < text.size() && text[j] != marker && text[j] != '\n') ++j;
      if (j > i + 2 && j + 1 < text.size() && text[j] == marker && text[j + 1] == marker) {
        ++count;
        i = j + 2;
        continue;
      }
    }
    ++i;
  }
  return count;
}

// Whether the character after position `end` of a line (which ends at `line_end`, a newline
// or the end of the text) is whitespace: a character within the line, or the newline itself.
bool SpaceFollows(std::string_view text, size_t end, size_t line_end) {
  if (end < line_end) return IsSpace(text[end]);
  return line_end < text.size();  // the newline
}

}  // namespace

AnswerStyle CountMarkdownStyle(std::string_view answer) {
  AnswerStyle style;
  for (char c : answer) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++style.length;
  }
  const std::string text = WithoutCodeBlocks(answer);
  const std::string_view view(text);
  size_t start = 0;
  while (start < view.size()) {
    size_t line_end = view.find('\n', start);
    if (line_end == std::string_view::npos) line_end = view.size();
    // Headers: 1 to 6 '#' right at the line start.
    size_t hashes = 0;
    while (start + hashes < line_end && view[start + hashes] == '#') ++hashes;
    if (hashes >= 1 && hashes <= 6 && SpaceFollows(view, start + hashes, line_end)) {
      ++style.headers;
    }
    // List items: after leading blanks, "N." or a bullet, then whitespace.
    size_t i = start;
    while (i < line_end && IsSpace(view[i])) ++i;
    size_t digits = i;
    while (digits < line_end && IsDigit(view[digits])) ++digits;
    if (digits > i && digits < line_end && view[digits] == '.' &&
        SpaceFollows(view, digits + 1, line_end)) {
      ++style.lists;
    } else if (i < line_end && (view[i] == '-' || view[i] == '*' || view[i] == '+') &&
               SpaceFollows(view, i + 1, line_end)) {
      ++style.lists;
    }
    start = line_end + 1;
  }
  style.bold = CountDelimited(view, '*') + CountDelimited(view, '_');
  return style;
}

}  // namespace kaieval::stats

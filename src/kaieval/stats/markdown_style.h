// The style counts of a model's answer (length, Markdown headers, list items, bold spans) that
// style control (style_control.h) uses as covariates: FastChat's conv_metadata, or counted here
// from the answer text when a battle file has the answers but not the counts.
#pragma once

#include <string_view>

namespace kaieval::stats {

// The style of one side's answers in a battle (FastChat's conv_metadata: sum_assistant_a_tokens,
// header_count_a, list_count_a, bold_count_a). Every count is finite and >= 0.
struct AnswerStyle {
  double length = 0;   // tokens, or characters when counted by CountMarkdownStyle
  double headers = 0;  // Markdown headers
  double lists = 0;    // ordered and unordered list items
  double bold = 0;     // **bold** and __bold__ spans
};

// The four counts of one answer (all turns joined), following the regular expressions of
// FastChat's add_markdown_info.py in spirit: `length` is the number of Unicode code points of
// the whole answer (FastChat counts tiktoken tokens). The rest is counted after removing fenced
// code blocks (``` up to the next ```, with no backtick between):
// - headers: lines that start with 1 to 6 '#' followed by whitespace (the line's own newline
//   counts as whitespace, so a bare "#" line is a header, as in FastChat);
// - lists: lines whose first non-blank text is digits and '.', or one of '-', '*', '+',
//   followed by whitespace;
// - bold: non-overlapping **text** and __text__ spans within one line (text without '*' or
//   '_' respectively).
// Whitespace and digits are ASCII only, where Python's \s and \d also match Unicode ones.
AnswerStyle CountMarkdownStyle(std::string_view answer);

}  // namespace kaieval::stats

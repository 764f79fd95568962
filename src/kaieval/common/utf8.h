// UTF-8 helpers: validation, code-point counting and Unicode normalisation (NFC/NFKC).
// Offsets that OpenAI-compatible servers report (text_offset) count code points, not bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kaieval {

bool IsValidUtf8(std::string_view s);

// Number of code points; invalid bytes count one each.
size_t CodePointCount(std::string_view s);

// Byte offset of code point index `cp` (clamped to s.size()).
size_t ByteOffsetOfCodePoint(std::string_view s, size_t cp);

// Splits into code points, each as its UTF-8 bytes. Invalid bytes become U+FFFD.
std::vector<std::string> SplitCodePoints(std::string_view s);

// At most `max_code_points` of `s`, with "..." when cut: a short quote of data in a message.
std::string Utf8Excerpt(std::string_view s, size_t max_code_points);

std::string NormalizeNfc(std::string_view s);
std::string NormalizeNfkc(std::string_view s);

// Full Unicode case folding (utf8proc's UTF8PROC_CASEFOLD, CaseFolding.txt statuses C and F, so
// "ß" folds to "ss"), result in NFC. For caseless comparison, not for display. Invalid UTF-8 is
// returned unchanged.
std::string CaseFold(std::string_view s);

}  // namespace kaieval

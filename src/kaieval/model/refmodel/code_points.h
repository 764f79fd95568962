// UTF-8 <-> code points for the reference model, whose tokens are Unicode code points.
// Used by CharNgramModel training and by the completion engine to split prompts into tokens.
#pragma once

#include <string>
#include <string_view>

namespace kaieval::refmodel {

// Decodes UTF-8 into code points; each invalid byte becomes U+FFFD.
std::u32string DecodeUtf8(std::string_view text);

// Appends the UTF-8 bytes of one code point.
void AppendUtf8(char32_t code_point, std::string& out);

std::string EncodeUtf8(std::u32string_view code_points);

}  // namespace kaieval::refmodel

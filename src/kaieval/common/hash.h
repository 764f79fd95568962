// Content hashes (XXH3-128) for cache keys, task versions and evidence provenance.
#pragma once

#include <string>
#include <string_view>

namespace kaieval {

// 32 lowercase hex digits of XXH3-128 over the bytes.
std::string ContentHash(std::string_view bytes);

// Hash of several fields, each length-prefixed so that ("ab","c") and ("a","bc") differ.
std::string ContentHash(std::initializer_list<std::string_view> fields);

}  // namespace kaieval

// Small whole-file helpers for configs, pages and hashes of inputs.
#pragma once

#include <filesystem>
#include <string>

namespace kaieval {

// The file's bytes. Throws InputError naming the path when it cannot be read.
std::string ReadFileBytes(const std::filesystem::path& path);

}  // namespace kaieval

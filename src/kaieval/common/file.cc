#include "kaieval/common/file.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "kaieval/common/error.h"

namespace kaieval {

std::string ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot read", path.string()));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace kaieval

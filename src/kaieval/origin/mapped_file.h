// MappedFile: a read-only memory mapping of a whole file (RAII). The weight readers parse and
// read tensors through it; Release() lets a streaming scan drop pages it has finished with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace kaieval::origin {

class MappedFile {
 public:
  // Throws InputError naming the path when it cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

  // Hints that [p, p + n) will not be read again, so its pages leave this process's resident
  // set (they stay in the page cache). Pointers outside the mapping are ignored.
  void Release(const uint8_t* p, size_t n) const;

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace kaieval::origin

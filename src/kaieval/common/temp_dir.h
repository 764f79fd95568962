// TempDir: a fresh folder under the system's temporary folder (mkdtemp), removed with its content
// when the TempDir goes out of scope. For child processes' profiles and for tests.
#pragma once

#include <filesystem>
#include <string>

namespace kaieval {

class TempDir {
 public:
  // Throws Error (internal) if the folder cannot be made.
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace kaieval

// Helpers shared by the GoogleTest files of every subsystem. Included only by *_test.cc.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "kaieval/common/error.h"
#include "kaieval/common/temp_dir.h"

namespace kaieval::testing {

// The message of the InputError that `f` throws; "" when it throws none.
inline std::string InputErrorMessage(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// A fresh, empty folder for one test, removed with everything in it afterwards.
class ScratchDir : public TempDir {
 public:
  explicit ScratchDir(const std::string& name) : TempDir("kaieval_" + name + "_") {}
};

}  // namespace kaieval::testing

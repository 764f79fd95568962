// Helpers shared by the GoogleTest files of every subsystem. Included only by *_test.cc.
#pragma once

#include <functional>
#include <string>

#include "kaieval/common/error.h"

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

}  // namespace kaieval::testing

// Errors that reach the user. Every subsystem throws these; the CLI prints what() on one line
// and exits with exit_code(): 2 bad input, 3 a remote endpoint that kept failing, 1 a bug.
#pragma once

#include <stdexcept>
#include <string>

namespace kaieval {

enum class ExitCode : int { kOk = 0, kInternal = 1, kBadInput = 2, kRemote = 3 };

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode exit_code() const { return code_; }

 private:
  ExitCode code_;
};

// Bad user input: a config, dataset, request or file. The message names where and what.
class InputError : public Error {
 public:
  explicit InputError(const std::string& message) : Error(ExitCode::kBadInput, message) {}
};

// A remote endpoint that still fails after its retries, or answers with something unusable.
class RemoteError : public Error {
 public:
  explicit RemoteError(const std::string& message) : Error(ExitCode::kRemote, message) {}
};

}  // namespace kaieval

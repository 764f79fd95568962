// ResponseCache: a durable SQLite (WAL) store of model responses, keyed by a hash of the model
// identity, the endpoint and the canonical request JSON. ModelClient writes each response as it
// arrives, so a run killed half-way resends only what had not finished.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kaieval/common/sqlite.h"

namespace kaieval::model {

// on: read and write; off: neither; read: only read; write: only write; refresh: overwrite
// what is there without reading it.
enum class CacheMode { kOn, kOff, kRead, kWrite, kRefresh };

CacheMode ParseCacheMode(std::string_view text);  // throws InputError
std::string_view CacheModeName(CacheMode mode);

class ResponseCache {
 public:
  ResponseCache(const std::string& path, CacheMode mode);

  // A sampled request (temperature absent or > 0) is cacheable only when it carries a seed:
  // then it is cached per seed. Others are always sent.
  static bool IsCacheable(const nlohmann::json& request);

  // The key ignores "stream": a streamed and a plain request share their answer.
  static std::string Key(std::string_view model_identity, std::string_view endpoint,
                         const nlohmann::json& request);

  std::optional<std::string> Get(const std::string& key);
  void Put(const std::string& key, std::string_view model_identity, std::string_view endpoint,
           const nlohmann::json& request, std::string_view response);

  bool reads() const { return mode_ == CacheMode::kOn || mode_ == CacheMode::kRead; }
  bool writes() const {
    return mode_ == CacheMode::kOn || mode_ == CacheMode::kWrite || mode_ == CacheMode::kRefresh;
  }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t writes_done() const { return writes_; }

 private:
  CacheMode mode_;
  std::unique_ptr<Database> db_;
  std::optional<Statement> get_;
  std::optional<Statement> put_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t writes_ = 0;
};

}  // namespace kaieval::model

#include "kaieval/model/response_cache.h"

#include <fmt/format.h>

#include <chrono>

#include "kaieval/common/error.h"
#include "kaieval/common/hash.h"

namespace kaieval::model {

constexpr int kSchemaVersion = 1;

CacheMode ParseCacheMode(std::string_view text) {
  if (text == "on") return CacheMode::kOn;
  if (text == "off") return CacheMode::kOff;
  if (text == "read") return CacheMode::kRead;
  if (text == "write") return CacheMode::kWrite;
  if (text == "refresh") return CacheMode::kRefresh;
  throw InputError(
      fmt::format("--cache: expected on, off, read, write or refresh, got '{}'", text));
}

std::string_view CacheModeName(CacheMode mode) {
  switch (mode) {
    case CacheMode::kOn: return "on";
    case CacheMode::kOff: return "off";
    case CacheMode::kRead: return "read";
    case CacheMode::kWrite: return "write";
    case CacheMode::kRefresh: return "refresh";
  }
  return "?";
}

ResponseCache::ResponseCache(const std::string& path, CacheMode mode) : mode_(mode) {
  if (mode == CacheMode::kOff) return;
  // NORMAL is durable against a killed process in WAL mode; only power loss can drop the
  // newest answers, and those are simply asked again.
  db_ = std::make_unique<Database>(path, Database::Sync::kNormal);
  db_->Exec(
      "CREATE TABLE IF NOT EXISTS responses ("
      " key TEXT PRIMARY KEY, model TEXT NOT NULL, endpoint TEXT NOT NULL,"
      " request TEXT NOT NULL, response TEXT NOT NULL, created_ms INTEGER NOT NULL)");
  auto version = db_->Prepare("PRAGMA user_version");
  version.Step();
  int64_t found = version.ColumnInt(0);
  if (found == 0) {
    db_->Exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
  } else if (found != kSchemaVersion) {
    throw InputError(fmt::format("{}: response cache schema version {} (this kaieval reads {})",
                                 path, found, kSchemaVersion));
  }
  get_.emplace(db_->Prepare("SELECT response FROM responses WHERE key = ?"));
  put_.emplace(db_->Prepare(
      "INSERT OR REPLACE INTO responses (key, model, endpoint, request, response, created_ms)"
      " VALUES (?, ?, ?, ?, ?, ?)"));
}

bool ResponseCache::IsCacheable(const nlohmann::json& request) {
  auto t = request.find("temperature");
  bool greedy = t != request.end() && t->is_number() && t->get<double>() == 0.0;
  return greedy || request.contains("seed");
}

std::string ResponseCache::Key(std::string_view model_identity, std::string_view endpoint,
                               const nlohmann::json& request) {
  nlohmann::json canonical = request;
  canonical.erase("stream");
  // nlohmann's object keeps keys sorted, so dump() is canonical for equal requests.
  std::string body = canonical.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return ContentHash({model_identity, endpoint, body});
}

std::optional<std::string> ResponseCache::Get(const std::string& key) {
  if (!reads()) return std::nullopt;
  get_->Bind(1, key);
  std::optional<std::string> out;
  if (get_->Step()) out = get_->ColumnText(0);
  get_->Reset();
  if (out) {
    ++hits_;
  } else {
    ++misses_;
  }
  return out;
}

void ResponseCache::Put(const std::string& key, std::string_view model_identity,
                        std::string_view endpoint, const nlohmann::json& request,
                        std::string_view response) {
  if (!writes()) return;
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  put_->Bind(1, key)
      .Bind(2, model_identity)
      .Bind(3, endpoint)
      .Bind(4, request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .Bind(5, response)
      .Bind(6, static_cast<int64_t>(now));
  put_->Run();
  ++writes_;
}

}  // namespace kaieval::model

#include "kaieval/model/response_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "kaieval/common/error.h"

namespace kaieval::model {
namespace {

using nlohmann::json;

std::string FreshPath(const char* name) {
  auto p = std::filesystem::temp_directory_path() / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
  return p.string();
}

const json kGreedy = {{"model", "m"}, {"prompt", "hi"}, {"temperature", 0}};

TEST(ResponseCache, KeyIgnoresStreamAndKeyOrder) {
  json a = {{"prompt", "x"}, {"temperature", 0}, {"stream", true}};
  json b = {{"temperature", 0}, {"prompt", "x"}};
  EXPECT_EQ(ResponseCache::Key("m", "/chat/completions", a),
            ResponseCache::Key("m", "/chat/completions", b));
  EXPECT_NE(ResponseCache::Key("m", "/chat/completions", a),
            ResponseCache::Key("m2", "/chat/completions", a));
  EXPECT_NE(ResponseCache::Key("m", "/completions", a),
            ResponseCache::Key("m", "/chat/completions", a));
}

TEST(ResponseCache, SampledRequestsAreCachedOnlyPerSeed) {
  EXPECT_TRUE(ResponseCache::IsCacheable(kGreedy));
  EXPECT_FALSE(ResponseCache::IsCacheable({{"prompt", "x"}, {"temperature", 0.7}}));
  EXPECT_FALSE(ResponseCache::IsCacheable({{"prompt", "x"}}));  // OpenAI default is 1.0
  json seeded = {{"prompt", "x"}, {"temperature", 0.7}, {"seed", 3}};
  EXPECT_TRUE(ResponseCache::IsCacheable(seeded));
  json other_seed = seeded;
  other_seed["seed"] = 4;
  EXPECT_NE(ResponseCache::Key("m", "/completions", seeded),
            ResponseCache::Key("m", "/completions", other_seed));
}

TEST(ResponseCache, SurvivesReopening) {
  std::string path = FreshPath("kaieval_cache_reopen.db");
  std::string key = ResponseCache::Key("m", "/completions", kGreedy);
  {
    ResponseCache cache(path, CacheMode::kOn);
    EXPECT_FALSE(cache.Get(key));
    cache.Put(key, "m", "/completions", kGreedy, R"({"choices":[{"text":"안녕"}]})");
  }
  ResponseCache cache(path, CacheMode::kOn);
  auto hit = cache.Get(key);
  ASSERT_TRUE(hit);
  EXPECT_EQ(*hit, R"({"choices":[{"text":"안녕"}]})");
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(ResponseCache, ModesControlReadingAndWriting) {
  std::string path = FreshPath("kaieval_cache_modes.db");
  std::string key = ResponseCache::Key("m", "/completions", kGreedy);
  {
    ResponseCache read_only(path, CacheMode::kRead);
    read_only.Put(key, "m", "/completions", kGreedy, "first");
    EXPECT_FALSE(read_only.Get(key));  // nothing was written
  }
  {
    ResponseCache write_only(path, CacheMode::kWrite);
    write_only.Put(key, "m", "/completions", kGreedy, "first");
    EXPECT_FALSE(write_only.Get(key));  // writes, never reads
  }
  {
    ResponseCache refresh(path, CacheMode::kRefresh);
    EXPECT_FALSE(refresh.Get(key));
    refresh.Put(key, "m", "/completions", kGreedy, "second");
  }
  ResponseCache on(path, CacheMode::kOn);
  EXPECT_EQ(on.Get(key).value_or(""), "second");
  ResponseCache off("/nonexistent-dir/never-opened.db", CacheMode::kOff);
  EXPECT_FALSE(off.Get(key));
}

TEST(ParseCacheMode, RejectsUnknownModes) {
  EXPECT_EQ(ParseCacheMode("refresh"), CacheMode::kRefresh);
  EXPECT_THROW(ParseCacheMode("maybe"), InputError);
}

}  // namespace
}  // namespace kaieval::model

// ContestConfig: the public contest's settings (contest.yaml): where it listens and stores, the
// models in the contest, turn and rate limits, pair sampling, leaderboard and filter settings.
// Read by `kaieval serve`; documented in docs/contest-format.md.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kaieval/model/model_spec.h"

namespace kaieval::arena {

struct ContestModel {
  std::string name;  // the public name, revealed after the vote
  std::string type = "local-chat-completions";  // as --model
  std::string model_args;                       // as --model-args; may hold "{refmodel}"
  model::ModelSpec spec;                        // set by ResolveModelSpecs
  bool active = true;  // inactive models keep their votes but get no new battles
};

struct TurnLimits {
  int max_turns = 3;
  int max_message_chars = 2000;  // code points
  int max_tokens = 512;          // per answer
  double temperature = 0.7;
};

struct RateLimits {
  int votes_per_hour_per_session = 30;
  int votes_per_hour_per_address = 120;
  // New sessions and turns cost storage and model calls: a flood from one address is refused.
  int sessions_per_hour_per_address = 300;
  int turns_per_hour_per_address = 600;
};

enum class SamplingMode { kUniform, kAdaptive };

struct SamplingSettings {
  SamplingMode mode = SamplingMode::kUniform;
  // Adaptive mode: this share of the probability stays uniform over all active pairs, so every
  // pair keeps being sampled; the rest goes to pairs whose rating intervals overlap most.
  double uniform_share = 0.5;
};

struct LeaderboardSettings {
  int bootstrap = 200;
  uint64_t seed = 1234;
  int refresh_seconds = 10;
  std::string anchor;  // model name; empty = ratings centred on 1000
  double anchor_rating = 1000;
};

struct ContestConfig {
  std::filesystem::path path;  // the config file
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string store;     // SQLite file
  std::string web_root;  // built web pages (web/dist); empty = not served
  std::string admin_token_env = "KAIEVAL_ADMIN_TOKEN";
  bool simulated = false;  // demo contests with simulated voters say so on every page
  // Optional: a refmodel config to serve in-process; "{refmodel}" in model_args is its URL.
  std::string refmodel;
  std::vector<ContestModel> models;
  TurnLimits turns;
  RateLimits rate_limits;
  SamplingSettings sampling;
  LeaderboardSettings leaderboard;
  YAML::Node filters;  // the `filters` section, read by the filters' own loaders
};

// Reads and checks contest.yaml: known keys only, at least two models with unique names,
// numbers in range. Relative paths (store, web_root, refmodel) are resolved against the
// config's folder. Throws InputError naming the file, line and field.
ContestConfig LoadContestConfig(const std::filesystem::path& path);

// Parses every model's model_args into its spec, with "{refmodel}" replaced by `refmodel_url`
// (the in-process reference server's base URL, or "" when there is none).
void ResolveModelSpecs(ContestConfig& config, const std::string& refmodel_url);

}  // namespace kaieval::arena

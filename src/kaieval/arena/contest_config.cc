#include "kaieval/arena/contest_config.h"

#include <fmt/format.h>

#include <set>

#include "kaieval/common/error.h"
#include "kaieval/common/yaml_reader.h"

namespace kaieval::arena {
namespace {

class ContestReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  std::string Path(const YAML::Node& node, const std::string& field) const {
    std::filesystem::path p = String(node, field);
    if (p.is_relative()) p = path().parent_path() / p;
    return p.lexically_normal().string();
  }

  void Listen(const YAML::Node& node, ContestConfig& c) const {
    std::string text = String(node, "listen");
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) Fail(node, "listen", "expected HOST:PORT");
    c.host = text.substr(0, colon);
    try {
      size_t used = 0;
      int port = std::stoi(text.substr(colon + 1), &used);
      if (used != text.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("");
      c.port = port;
    } catch (const std::exception&) {
      Fail(node, "listen", fmt::format("expected HOST:PORT with a port from 0 to 65535, got '{}'", text));
    }
  }

  ContestModel Model(const YAML::Node& node, const std::string& field) const {
    RequireKnownKeys(node, field, {"name", "type", "model_args", "active"});
    ContestModel m;
    if (!node["name"]) Fail(node, field + ".name", "missing");
    m.name = String(node["name"], field + ".name");
    if (node["type"]) m.type = String(node["type"], field + ".type");
    if (!node["model_args"]) Fail(node, field + ".model_args", "missing");
    m.model_args = String(node["model_args"], field + ".model_args");
    if (node["active"]) m.active = Boolean(node["active"], field + ".active");
    return m;
  }

  void Models(const YAML::Node& node, ContestConfig& c) const {
    if (!node || !node.IsSequence()) Fail(node, "models", "expected a list of models");
    std::set<std::string> names;
    int active = 0;
    for (size_t i = 0; i < node.size(); ++i) {
      std::string field = fmt::format("models[{}]", i);
      c.models.push_back(Model(node[i], field));
      if (!names.insert(c.models.back().name).second) {
        Fail(node[i]["name"], field + ".name",
             fmt::format("duplicate model name '{}'", c.models.back().name));
      }
      active += c.models.back().active ? 1 : 0;
    }
    if (active < 2) Fail(node, "models", "a contest needs at least two active models");
  }

  void Turns(const YAML::Node& n, TurnLimits& t) const {
    RequireKnownKeys(n, "turns", {"max_turns", "max_message_chars", "max_tokens", "temperature"});
    if (n["max_turns"]) t.max_turns = static_cast<int>(Integer(n["max_turns"], "turns.max_turns", 1, 50));
    if (n["max_message_chars"]) {
      t.max_message_chars =
          static_cast<int>(Integer(n["max_message_chars"], "turns.max_message_chars", 1, 100000));
    }
    if (n["max_tokens"]) t.max_tokens = static_cast<int>(Integer(n["max_tokens"], "turns.max_tokens", 1, 32768));
    if (n["temperature"]) t.temperature = Number(n["temperature"], "turns.temperature", 0, 2);
  }

  void Rates(const YAML::Node& n, RateLimits& r) const {
    RequireKnownKeys(n, "rate_limits",
                     {"votes_per_hour_per_session", "votes_per_hour_per_address",
                      "sessions_per_hour_per_address", "turns_per_hour_per_address"});
    auto rate = [&](const char* key, int& value) {
      if (n[key]) value = static_cast<int>(Integer(n[key], std::string("rate_limits.") + key, 1, 10000000));
    };
    rate("votes_per_hour_per_session", r.votes_per_hour_per_session);
    rate("votes_per_hour_per_address", r.votes_per_hour_per_address);
    rate("sessions_per_hour_per_address", r.sessions_per_hour_per_address);
    rate("turns_per_hour_per_address", r.turns_per_hour_per_address);
  }

  void Sampling(const YAML::Node& n, SamplingSettings& s) const {
    RequireKnownKeys(n, "sampling", {"mode", "uniform_share"});
    if (n["mode"]) {
      std::string mode = String(n["mode"], "sampling.mode");
      if (mode == "uniform") {
        s.mode = SamplingMode::kUniform;
      } else if (mode == "adaptive") {
        s.mode = SamplingMode::kAdaptive;
      } else {
        Fail(n["mode"], "sampling.mode", fmt::format("expected uniform or adaptive, got '{}'", mode));
      }
    }
    if (n["uniform_share"]) s.uniform_share = Number(n["uniform_share"], "sampling.uniform_share", 0.05, 1);
  }

  void Leaderboard(const YAML::Node& n, LeaderboardSettings& l) const {
    RequireKnownKeys(n, "leaderboard", {"bootstrap", "seed", "refresh_seconds", "anchor", "anchor_rating"});
    if (n["bootstrap"]) l.bootstrap = static_cast<int>(Integer(n["bootstrap"], "leaderboard.bootstrap", 2, 100000));
    if (n["seed"]) l.seed = static_cast<uint64_t>(Integer(n["seed"], "leaderboard.seed", 0, INT64_MAX));
    if (n["refresh_seconds"]) {
      l.refresh_seconds = static_cast<int>(Integer(n["refresh_seconds"], "leaderboard.refresh_seconds", 1, 86400));
    }
    if (n["anchor"]) l.anchor = String(n["anchor"], "leaderboard.anchor");
    if (n["anchor_rating"]) l.anchor_rating = Number(n["anchor_rating"], "leaderboard.anchor_rating", -1e6, 1e6);
  }

  ContestConfig Config(const YAML::Node& root) const {
    if (!root.IsMap()) Fail(root, "(top level)", "expected a map with at least 'store' and 'models'");
    RequireKnownKeys(root, "", {"listen", "store", "web_root", "admin_token_env", "simulated", "refmodel",
                                "models", "turns", "rate_limits", "sampling", "leaderboard", "filters"});
    ContestConfig c;
    c.path = path();
    if (root["listen"]) Listen(root["listen"], c);
    if (!root["store"]) Fail(root, "store", "missing (the SQLite file that holds the votes)");
    c.store = Path(root["store"], "store");
    if (root["web_root"]) c.web_root = Path(root["web_root"], "web_root");
    if (root["admin_token_env"]) c.admin_token_env = String(root["admin_token_env"], "admin_token_env");
    if (root["simulated"]) c.simulated = Boolean(root["simulated"], "simulated");
    if (root["refmodel"]) c.refmodel = Path(root["refmodel"], "refmodel");
    Models(root["models"], c);
    if (root["turns"]) Turns(root["turns"], c.turns);
    if (root["rate_limits"]) Rates(root["rate_limits"], c.rate_limits);
    if (root["sampling"]) Sampling(root["sampling"], c.sampling);
    if (root["leaderboard"]) Leaderboard(root["leaderboard"], c.leaderboard);
    if (!c.leaderboard.anchor.empty()) {
      bool known = false;
      for (const auto& m : c.models) known = known || m.name == c.leaderboard.anchor;
      if (!known) {
        Fail(root["leaderboard"]["anchor"], "leaderboard.anchor",
             fmt::format("'{}' is not one of the models", c.leaderboard.anchor));
      }
    }
    if (root["filters"]) {
      RequireKnownKeys(root["filters"], "filters",
                       {"identity_words", "identity_words_defaults", "prompt_dedup",
                        "suspicious_voters"});
      c.filters = root["filters"];
    }
    return c;
  }
};

}  // namespace

ContestConfig LoadContestConfig(const std::filesystem::path& path) {
  ContestReader reader(path);
  return reader.Config(reader.Load("contest config"));
}

void ResolveModelSpecs(ContestConfig& config, const std::string& refmodel_url) {
  for (size_t i = 0; i < config.models.size(); ++i) {
    ContestModel& m = config.models[i];
    std::string args = m.model_args;
    const std::string placeholder = "{refmodel}";
    for (size_t at = args.find(placeholder); at != std::string::npos; at = args.find(placeholder)) {
      if (refmodel_url.empty()) {
        throw InputError(fmt::format("{}: models[{}].model_args: uses {{refmodel}} but the config "
                                     "has no 'refmodel'",
                                     config.path.string(), i));
      }
      args.replace(at, placeholder.size(), refmodel_url);
    }
    m.spec = model::ParseModelArgs(m.type, args, fmt::format("{}: models[{}].model_args",
                                                              config.path.string(), i));
  }
}

}  // namespace kaieval::arena

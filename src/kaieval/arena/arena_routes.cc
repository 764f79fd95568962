#include "kaieval/arena/arena_routes.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"
#include "kaieval/common/http_api.h"

namespace kaieval::arena {
namespace {

using nlohmann::json;

constexpr const char* kCookie = "kaieval_session";

std::string CookieSession(const httplib::Request& req) {
  const std::string header = req.get_header_value("Cookie");
  const std::string key = std::string(kCookie) + "=";
  for (size_t at = 0; at < header.size();) {
    size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    size_t start = header.find_first_not_of(' ', at);
    if (start < end && header.compare(start, key.size(), key) == 0) {
      return header.substr(start + key.size(), end - start - key.size());
    }
    at = end + 1;
  }
  return "";
}

// One SSE event queue shared by the two model threads and the streaming writer.
struct TurnStream {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::string> events;
  int running = 2;
  std::string answer[2];
  bool ok[2] = {false, false};

  void Push(std::string event) {
    {
      std::lock_guard lock(mutex);
      events.push_back(std::move(event));
    }
    ready.notify_one();
  }
};

std::string SseEvent(const char* name, const json& data) {
  return fmt::format("event: {}\ndata: {}\n\n", name,
                     data.dump(-1, ' ', false, json::error_handler_t::replace));
}

// Asks one side's model and pushes its deltas, then `done` or `error`.
void RunSide(TurnStream& stream, int side, const ContestModel& model,
             const model::ChatRequest& request) {
  const char* name = side == 0 ? "a" : "b";
  try {
    model::ModelClient client(model.spec, nullptr);
    auto results = client.Chat({request}, nullptr, [&](size_t, std::string_view delta) {
      {
        std::lock_guard lock(stream.mutex);
        stream.answer[side] += delta;
      }
      stream.Push(SseEvent("delta", {{"side", name}, {"text", std::string(delta)}}));
    });
    {
      std::lock_guard lock(stream.mutex);
      stream.answer[side] = results.at(0).text;
      stream.ok[side] = true;
    }
    stream.Push(SseEvent("done", {{"side", name}}));
  } catch (const std::exception& e) {
    spdlog::warn("battle turn: model {} failed: {}", model.name, e.what());
    // The model's name must not leak through the error text.
    stream.Push(SseEvent("error", {{"side", name}, {"message", "the model did not answer"}}));
  }
  {
    std::lock_guard lock(stream.mutex);
    --stream.running;
  }
  stream.ready.notify_one();
}

}  // namespace

struct ArenaRoutes::Impl {
  Impl(Contest& contest, LeaderboardService& leaderboard, RouteOptions options)
      : contest_(contest), leaderboard_(leaderboard), options_(std::move(options)) {}

  // The session of a POST: cookie and CSRF header must match.
  std::string PostSession(const httplib::Request& req) {
    std::string session = CookieSession(req);
    contest_.CheckCsrf(session, req.get_header_value("X-CSRF-Token"));
    return session;
  }

  void Session(const httplib::Request& req, httplib::Response& res) {
    SessionInfo s = contest_.OpenSession(CookieSession(req), req.remote_addr);
    res.set_header("Set-Cookie",
                   fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/", kCookie, s.id));
    const auto& t = contest_.config().turns;
    SendJson(res, 200,
             {{"csrf_token", s.csrf_token},
              {"max_turns", t.max_turns},
              {"max_message_chars", t.max_message_chars}});
  }

  void CreateBattle(const httplib::Request& req, httplib::Response& res) {
    std::string id = contest_.CreateBattle(PostSession(req));
    const auto& t = contest_.config().turns;
    SendJson(res, 201,
             {{"battle_id", id},
              {"max_turns", t.max_turns},
              {"max_message_chars", t.max_message_chars}});
  }

  void Turn(const httplib::Request& req, httplib::Response& res) {
    std::string session = PostSession(req);
    json body = ParseBody(req);
    auto plan = std::make_shared<TurnPlan>(
        contest_.BeginTurn(session, req.remote_addr, std::string(req.matches[1]), StringField(body, "message")));
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");  // nginx: pass events through unbuffered
    Contest* contest = &contest_;
    res.set_chunked_content_provider(
        "text/event-stream",
        [contest, plan](size_t, httplib::DataSink& sink) {
          TurnStream stream;
          std::thread a(RunSide, std::ref(stream), 0, std::cref(*plan->model_a),
                        std::cref(plan->request_a));
          std::thread b(RunSide, std::ref(stream), 1, std::cref(*plan->model_b),
                        std::cref(plan->request_b));
          bool connected = true;
          for (;;) {
            std::unique_lock lock(stream.mutex);
            stream.ready.wait(lock, [&] { return !stream.events.empty() || stream.running == 0; });
            if (stream.events.empty()) break;  // both sides finished and everything was sent
            std::string event = std::move(stream.events.front());
            stream.events.pop_front();
            lock.unlock();
            if (connected && !sink.write(event.data(), event.size())) connected = false;
          }
          a.join();
          b.join();
          // A turn counts only if both answers arrived and the user could read them.
          const bool completed = connected && stream.ok[0] && stream.ok[1];
          contest->FinishTurn(*plan, stream.answer[0], stream.answer[1], completed);
          if (connected) {
            std::string end = SseEvent("end", {{"turn", plan->turn}, {"completed", completed}});
            sink.write(end.data(), end.size());
            sink.done();
          }
          return connected;
        });
  }

  void Vote(const httplib::Request& req, httplib::Response& res) {
    std::string session = PostSession(req);
    json body = ParseBody(req);
    VoteReceipt r = contest_.Vote(session, req.remote_addr, std::string(req.matches[1]),
                                  StringField(body, "vote"));
    leaderboard_.Invalidate();
    SendJson(res, 200, {{"vote_id", r.vote_id}, {"models", {{"a", r.model_a}, {"b", r.model_b}}}});
  }

  void Battle(const httplib::Request& req, httplib::Response& res) {
    BattleView v = contest_.GetBattle(CookieSession(req), std::string(req.matches[1]));
    json turns = json::array();
    for (const auto& t : v.turns) turns.push_back({{"user", t.user}, {"a", t.answer_a}, {"b", t.answer_b}});
    json out = {{"battle_id", v.battle_id}, {"turns", turns}, {"vote", nullptr}};
    if (!v.vote.empty()) {
      out["vote"] = v.vote;
      out["models"] = {{"a", v.model_a}, {"b", v.model_b}};
    }
    SendJson(res, 200, out);
  }

  void RequireAdmin(const httplib::Request& req, const std::string& action) {
    const std::string want = "Bearer " + options_.admin_token;
    const bool ok = !options_.admin_token.empty() &&
                    ConstantTimeEquals(want, req.get_header_value("Authorization"));
    if (!ok) throw ApiError(401, "unauthorized", "admin endpoints need the bearer token");
    contest_.store().LogAdmin(contest_.Now(), action, req.target, req.remote_addr);
  }

  void Page(httplib::Response& res, const char* file) { SendPage(res, options_.web_root, file); }

  void Register(httplib::Server& http);

  Contest& contest_;
  LeaderboardService& leaderboard_;
  RouteOptions options_;
};

void ArenaRoutes::Impl::Register(httplib::Server& http) {
  using Req = httplib::Request;
  using Res = httplib::Response;
  auto route = [this](void (Impl::*fn)(const Req&, Res&)) {
    return [this, fn](const Req& req, Res& res) { Guarded(res, [&] { (this->*fn)(req, res); }); };
  };
  http.Get("/api/session", route(&Impl::Session));
  http.Post("/api/battles", route(&Impl::CreateBattle));
  http.Post(R"(/api/battles/([^/]+)/turns)", route(&Impl::Turn));
  http.Post(R"(/api/battles/([^/]+)/vote)", route(&Impl::Vote));
  http.Get(R"(/api/battles/([^/]+))", route(&Impl::Battle));
  http.Get("/api/leaderboard", [this](const Req&, Res& res) {
    Guarded(res, [&] { SendJson(res, 200, leaderboard_.Public()); });
  });

  http.Get("/api/admin/models", [this](const Req& req, Res& res) {
    Guarded(res, [&] {
      RequireAdmin(req, "models");
      json models = json::array();
      for (const auto& m : contest_.config().models) {
        models.push_back({{"name", m.name}, {"model", m.spec.model}, {"active", m.active}});
      }
      SendJson(res, 200, {{"models", models}});
    });
  });
  http.Get("/api/admin/votes.jsonl", [this](const Req& req, Res& res) {
    Guarded(res, [&] {
      RequireAdmin(req, "export_votes");
      res.set_content(leaderboard_.ExportVotesJsonl(), "application/x-ndjson");
    });
  });
  http.Get("/api/admin/exclusions", [this](const Req& req, Res& res) {
    Guarded(res, [&] {
      RequireAdmin(req, "list_exclusions");
      SendJson(res, 200, leaderboard_.ExclusionsJson());
    });
  });
  http.Post("/api/admin/exclusions", [this](const Req& req, Res& res) {
    Guarded(res, [&] {
      RequireAdmin(req, "override: " + req.body);
      json body = ParseBody(req);
      OverrideRow row;
      auto id = body.find("vote_id");
      if (id == body.end() || !id->is_number_integer()) {
        throw ApiError(400, "bad_request", "'vote_id' must be an integer");
      }
      row.vote_id = id->get<int64_t>();
      row.action = StringField(body, "action");
      if (row.action != "exclude" && row.action != "include") {
        throw ApiError(400, "bad_request", "'action' must be exclude or include");
      }
      row.reason = StringField(body, "reason");
      if (row.reason.empty()) throw ApiError(400, "bad_request", "'reason' must not be empty");
      row.tstamp_ms = contest_.Now();
      contest_.store().SaveOverride(row);
      leaderboard_.Invalidate();
      SendJson(res, 200, {{"ok", true}});
    });
  });
  http.Get("/api/admin/leaderboard", [this](const Req& req, Res& res) {
    Guarded(res, [&] {
      RequireAdmin(req, "audit_leaderboard");
      std::set<ExclusionReason> disabled;
      std::string list = req.get_param_value("disable");
      for (size_t at = 0; at < list.size();) {
        size_t end = std::min(list.find(',', at), list.size());
        if (end > at) {
          try {
            disabled.insert(ParseExclusionReason(list.substr(at, end - at)));
          } catch (const InputError& e) {
            throw ApiError(400, "bad_filter", e.what());
          }
        }
        at = end + 1;
      }
      SendJson(res, 200, leaderboard_.Audit(disabled));
    });
  });

  http.Get("/", [this](const Req&, Res& res) { Guarded(res, [&] { Page(res, "index.html"); }); });
  http.Get("/leaderboard",
           [this](const Req&, Res& res) { Guarded(res, [&] { Page(res, "leaderboard.html"); }); });
  if (!options_.web_root.empty()) {
    const auto assets = std::filesystem::path(options_.web_root) / "assets";
    if (std::filesystem::is_directory(assets)) {
      http.set_mount_point("/assets", assets.string(),
                           {{"Cache-Control", "public, max-age=31536000, immutable"}});
    }
  }
  http.set_file_extension_and_mimetype_mapping("js", "text/javascript");
  http.set_post_routing_handler([](const Req&, Res& res) {
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
  });
  httplib::Server::HandlerWithResponse on_error = [](const Req& req, Res& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const char* code = res.status == 404 ? "not_found" : res.status == 413 ? "too_large" : "http_error";
    SendJson(res, res.status, {{"error", {{"code", code}, {"message", fmt::format("{} {}", res.status, req.path)}}}});
    return httplib::Server::HandlerResponse::Handled;
  };
  http.set_error_handler(std::move(on_error));
  http.set_exception_handler([](const Req&, Res& res, std::exception_ptr error) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("contest server: {}", what);
    SendJson(res, 500, {{"error", {{"code", "internal"}, {"message", "internal error"}}}});
  });
}

ArenaRoutes::ArenaRoutes(Contest& contest, LeaderboardService& leaderboard, RouteOptions options)
    : impl_(std::make_unique<Impl>(contest, leaderboard, std::move(options))) {}

ArenaRoutes::~ArenaRoutes() = default;

void ArenaRoutes::Register(httplib::Server& http) { impl_->Register(http); }

}  // namespace kaieval::arena

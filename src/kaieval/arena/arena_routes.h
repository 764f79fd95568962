// The contest's HTTP routes (docs/api.md): sessions, battles, streamed turns, votes, the
// leaderboard, the admin endpoints and the web pages. `kaieval serve` registers them on an
// HttpListener; the end-to-end and browser tests drive them over loopback.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "kaieval/arena/contest.h"
#include "kaieval/arena/leaderboard_service.h"

namespace kaieval::arena {

struct RouteOptions {
  std::string web_root;     // built pages (index.html, leaderboard.html, assets/); "" = none
  std::string admin_token;  // "" = admin endpoints refuse everyone
};

class ArenaRoutes {
 public:
  // `contest` and `leaderboard` must outlive the routes; the routes must outlive the server
  // they are registered on.
  ArenaRoutes(Contest& contest, LeaderboardService& leaderboard, RouteOptions options);
  ~ArenaRoutes();
  void Register(httplib::Server& http);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaieval::arena

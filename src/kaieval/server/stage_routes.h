// The live stage dashboard of `kaieval serve --stage stage.yaml`: GET /stage (the report page,
// which then asks the API) and GET /api/stage (the stage report JSON, recomputed from the
// evidence at most every `refresh_seconds`, for the committee's bearer token only).
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace kaieval::server {

struct StageRouteOptions {
  std::string config_path;       // stage.yaml
  std::string web_root;          // built pages (report.html); "" = none
  std::string committee_token;   // "" = /api/stage refuses everyone
  int refresh_seconds = 30;      // a report younger than this is served as it is
};

class StageRoutes {
 public:
  StageRoutes(StageRouteOptions options, std::function<int64_t()> now_ms);
  ~StageRoutes();
  void Register(httplib::Server& http);

  // The report JSON with "computed_ms", recomputed when older than refresh_seconds. Throws
  // ApiError 503 stage_evidence (with the loader's one-line message) when the evidence cannot
  // be read.
  nlohmann::ordered_json Current();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaieval::server

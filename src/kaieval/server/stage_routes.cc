#include "kaieval/server/stage_routes.h"

#include <mutex>

#include "kaieval/common/error.h"
#include "kaieval/common/http_api.h"
#include "kaieval/stage/stage_run.h"

namespace kaieval::server {

struct StageRoutes::Impl {
  StageRouteOptions options;
  std::function<int64_t()> now_ms;
  std::mutex mutex;  // one computation at a time; readers of a fresh report wait only for it
  nlohmann::ordered_json report;
  int64_t computed_ms = -1;
};

StageRoutes::StageRoutes(StageRouteOptions options, std::function<int64_t()> now_ms)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->now_ms = std::move(now_ms);
}

StageRoutes::~StageRoutes() = default;

nlohmann::ordered_json StageRoutes::Current() {
  std::lock_guard lock(impl_->mutex);
  const int64_t now = impl_->now_ms();
  if (impl_->computed_ms >= 0 && now - impl_->computed_ms < impl_->options.refresh_seconds * 1000LL) {
    return impl_->report;
  }
  try {
    nlohmann::ordered_json report = stage::StageReportJson(stage::RunStage(impl_->options.config_path));
    report["computed_ms"] = now;
    impl_->report = std::move(report);
    impl_->computed_ms = now;
  } catch (const InputError& e) {
    throw ApiError(503, "stage_evidence", e.what());
  }
  return impl_->report;
}

void StageRoutes::Register(httplib::Server& http) {
  http.Get("/stage", [this](const httplib::Request&, httplib::Response& res) {
    Guarded(res, [&] { SendPage(res, impl_->options.web_root, "report.html"); });
  });
  http.Get("/api/stage", [this](const httplib::Request& req, httplib::Response& res) {
    Guarded(res, [&] {
      const std::string& token = impl_->options.committee_token;
      if (token.empty() || !ConstantTimeEquals("Bearer " + token, req.get_header_value("Authorization"))) {
        throw ApiError(401, "unauthorized", "the stage dashboard needs the committee's bearer token");
      }
      SendOrderedJson(res, 200, Current());
    });
  });
}

}  // namespace kaieval::server

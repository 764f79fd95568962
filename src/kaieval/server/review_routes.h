// The expert review page of `kaieval serve --stage stage.yaml --campaign campaign.db`:
// GET /review (the page), GET /api/review/queue (the reviewer's blind items, the panels'
// criteria with their anchors, the scores entered so far and the progress), GET
// /api/review/items/{code}/content (an item's text), POST /api/review/scores (one score, saved
// at once). A reviewer is known only by the bearer token `kaieval review tokens` made.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "kaieval/stage/stage_config.h"
#include "kaieval/store/evidence_store.h"

namespace kaieval::server {

class ReviewRoutes {
 public:
  // `store` must outlive the routes. Throws InputError when the stage has no review section or
  // its reviewers cannot be assigned.
  ReviewRoutes(const stage::StageConfig& config, store::EvidenceStore& store, std::string web_root,
               std::function<int64_t()> now_ms);
  ~ReviewRoutes();
  void Register(httplib::Server& http);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaieval::server

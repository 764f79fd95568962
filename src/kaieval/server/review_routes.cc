#include "kaieval/server/review_routes.h"

#include <fmt/format.h>

#include <map>
#include <mutex>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"
#include "kaieval/common/http_api.h"
#include "kaieval/common/utf8.h"
#include "kaieval/review/assignment.h"
#include "kaieval/review/scores.h"

namespace kaieval::server {
namespace {

using nlohmann::json;

constexpr size_t kMaxContentBytes = 1 << 20;

bool IsWebUrl(const std::string& s) { return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0; }

}  // namespace

struct ReviewRoutes::Impl {
  Impl(const stage::StageConfig& config, store::EvidenceStore& store, std::string web_root,
       std::function<int64_t()> now_ms)
      : config(config), store(store), web_root(std::move(web_root)), now_ms(std::move(now_ms)) {}

  const stage::StageConfig& config;
  store::EvidenceStore& store;
  std::string web_root;
  std::function<int64_t()> now_ms;
  review::AssignmentPlan plan;
  std::mutex mutex;  // the store's connection is used by one request at a time

  // The reviewer the request's bearer token belongs to; ApiError 401 otherwise.
  std::string Reviewer(const httplib::Request& req) {
    const std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    std::string reviewer;
    if (header.rfind(prefix, 0) == 0) {
      std::lock_guard lock(mutex);
      reviewer = store.ReviewerForToken(header.substr(prefix.size()));
    }
    if (reviewer.empty() || config.review.FindReviewer(reviewer) == nullptr) {
      throw ApiError(401, "unauthorized", "open the review page with the link you were given");
    }
    return reviewer;
  }

  // This reviewer's latest score per (item id, criterion).
  std::map<std::pair<std::string, std::string>, int> Scores(const std::string& reviewer) {
    std::lock_guard lock(mutex);
    std::map<std::pair<std::string, std::string>, int> out;
    for (const auto& s : store.ReviewScores()) {
      if (s.reviewer == reviewer) out[{s.item, s.criterion}] = s.score;
    }
    return out;
  }

  json Progress(const std::string& reviewer) {
    int total = 0, scored = 0;
    const auto scores = Scores(reviewer);
    for (const auto& a : plan.assignments) {
      if (a.reviewer != reviewer) continue;
      const review::ReviewPanel* panel = config.review.FindPanel(config.review.FindItem(a.item)->panel);
      for (const auto& c : panel->criteria) {
        ++total;
        scored += scores.count({a.item, c.id}) ? 1 : 0;
      }
    }
    return {{"scored", scored}, {"total", total}};
  }

  json Queue(const std::string& reviewer_id) {
    const review::Reviewer* reviewer = config.review.FindReviewer(reviewer_id);
    json panels = json::array();
    for (const auto& p : config.review.panels) {
      if (!reviewer->ServesOn(p.name)) continue;
      json criteria = json::array();
      for (const auto& c : p.criteria) {
        json anchors = json::array();
        for (const auto& [score, text] : c.anchors) anchors.push_back({{"score", score}, {"text", text}});
        criteria.push_back({{"id", c.id}, {"name", c.name}, {"weight", c.weight}, {"anchors", anchors}});
      }
      panels.push_back({{"name", p.name}, {"criteria", criteria}});
    }
    const auto scores = Scores(reviewer_id);
    json items = json::array();
    for (const auto& item : review::ItemsForReviewer(config.review, plan, reviewer_id)) {
      const std::string id = plan.ItemForBlindCode(item.blind_code);
      json given = json::object();
      for (const auto& c : config.review.FindPanel(item.panel)->criteria) {
        auto it = scores.find({id, c.id});
        if (it != scores.end()) given[c.id] = it->second;
      }
      items.push_back({{"code", item.blind_code},
                       {"panel", item.panel},
                       {"kind", review::ItemKindName(item.kind)},
                       {"title", item.title},
                       {"url", IsWebUrl(item.content) ? item.content : ""},
                       {"has_text", !item.content.empty() && !IsWebUrl(item.content)},
                       {"scores", given}});
    }
    return {{"reviewer", {{"id", reviewer->id}, {"name", reviewer->name}}},
            {"scale", {{"min", review::kMinScore}, {"max", review::kMaxScore}}},
            {"panels", panels},
            {"items", items},
            {"progress", Progress(reviewer_id)}};
  }

  // The item id behind a blind code assigned to this reviewer; ApiError 404 otherwise (an item
  // of someone else looks the same as one that does not exist).
  std::string AssignedItem(const std::string& code, const std::string& reviewer) {
    const std::string item = plan.ItemForBlindCode(code);
    if (item.empty() || !plan.IsAssigned(item, reviewer)) {
      throw ApiError(404, "not_assigned", "no such item in your queue");
    }
    return item;
  }

  json Text(const std::string& code, const std::string& reviewer) {
    const review::ReviewItem* item = config.review.FindItem(AssignedItem(code, reviewer));
    if (item->content.empty() || IsWebUrl(item->content)) {
      throw ApiError(404, "no_text", "this item has no text here");
    }
    std::string text;
    try {
      text = ReadFileBytes(item->content);
    } catch (const InputError&) {
      throw ApiError(503, "no_text", "the item's file cannot be read; tell the organisers");
    }
    if (text.size() > kMaxContentBytes || !IsValidUtf8(text)) {
      throw ApiError(503, "no_text", "the item's file is too large or not UTF-8 text; tell the organisers");
    }
    return {{"code", code}, {"text", text}};
  }

  json Save(const std::string& reviewer, const json& body) {
    const std::string item = AssignedItem(StringField(body, "item"), reviewer);
    const auto score = body.find("score");
    if (score == body.end() || !score->is_number_integer() || score->get<int64_t>() < review::kMinScore ||
        score->get<int64_t>() > review::kMaxScore) {
      throw ApiError(400, "bad_score", fmt::format("'score' must be a whole number from {} to {}",
                                                   review::kMinScore, review::kMaxScore));
    }
    review::ReviewScore s{item, reviewer, StringField(body, "criterion"), score->get<int>(), 0};
    if (auto problem = review::CheckScore(config.review, plan, s)) {
      throw ApiError(400, "bad_" + problem->field, problem->message);
    }
    {
      std::lock_guard lock(mutex);
      store.AddReviewScores({{item, reviewer, s.criterion, s.score, now_ms(), "page"}});
    }
    return {{"ok", true}, {"progress", Progress(reviewer)}};
  }
};

ReviewRoutes::ReviewRoutes(const stage::StageConfig& config, store::EvidenceStore& store,
                           std::string web_root, std::function<int64_t()> now_ms)
    : impl_(std::make_unique<Impl>(config, store, std::move(web_root), std::move(now_ms))) {
  if (!config.has_review) {
    throw InputError(fmt::format("{}: no review section: the review page has nothing to show",
                                 config.path.string()));
  }
  std::vector<review::Team> teams;
  for (const auto& t : config.teams) teams.push_back({t.name, t.organisation});
  impl_->plan = review::AssignReviewers(config.review, teams, config.seed);
}

ReviewRoutes::~ReviewRoutes() = default;

void ReviewRoutes::Register(httplib::Server& http) {
  using Req = httplib::Request;
  using Res = httplib::Response;
  http.Get("/review", [this](const Req&, Res& res) {
    Guarded(res, [&] { SendPage(res, impl_->web_root, "review.html"); });
  });
  http.Get("/api/review/queue", [this](const Req& req, Res& res) {
    Guarded(res, [&] { SendJson(res, 200, impl_->Queue(impl_->Reviewer(req))); });
  });
  http.Get(R"(/api/review/items/([0-9a-f]+)/text)", [this](const Req& req, Res& res) {
    Guarded(res, [&] { SendJson(res, 200, impl_->Text(req.matches[1], impl_->Reviewer(req))); });
  });
  http.Post("/api/review/scores", [this](const Req& req, Res& res) {
    Guarded(res, [&] {
      const std::string reviewer = impl_->Reviewer(req);
      SendJson(res, 200, impl_->Save(reviewer, ParseBody(req)));
    });
  });
}

}  // namespace kaieval::server

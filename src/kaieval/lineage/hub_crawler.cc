#include "kaieval/lineage/hub_crawler.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_set>

#include "kaieval/common/error.h"
#include "kaieval/common/version.h"
#include "kaieval/lineage/model_id.h"
#include "kaieval/lineage/snapshot_reader.h"
#include "kaieval/model/curl_handles.h"

namespace kaieval::lineage {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kExpand[] = {"author",    "cardData",         "config",   "createdAt",
                                   "downloads", "downloadsAllTime", "gguf",     "library_name",
                                   "likes",     "safetensors",      "siblings", "tags"};
constexpr const char* kRelations[] = {"", "finetune:", "adapter:", "quantized:", "merge:"};

struct Response {
  long status = 0;
  std::string body;
  std::string link, retry_after, rate_limit, rate_limit_reset;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Response*>(user);
  std::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    const std::string name = LowerId(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
    if (name == "link") r->link = value;
    if (name == "retry-after") r->retry_after = value;
    if (name == "ratelimit") r->rate_limit = value;
    if (name == "ratelimit-reset" || name == "x-ratelimit-reset") r->rate_limit_reset = value;
  } else if (line.rfind("HTTP/", 0) == 0) {
    *r = Response{};  // a new response (after a redirect or 100 Continue)
  }
  return size * n;
}

std::string Escape(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string ExpandQuery() {
  std::string out;
  for (const char* field : kExpand) out += fmt::format("&expand%5B%5D={}", field);
  return out;
}

class Crawler {
 public:
  explicit Crawler(const CrawlOptions& options) : o_(options) {
    model::EnsureCurlGlobalInit();
    state_path_ = o_.snapshot + ".crawl.json";
  }

  CrawlSummary Run() {
    LoadExisting();
    std::ofstream out(o_.snapshot, std::ios::binary | std::ios::app);
    if (!out) throw InputError(fmt::format("--out: cannot write {}", o_.snapshot));
    out_ = &out;
    for (const auto& root : roots_) {
      const std::string key = "root:" + LowerId(root);
      if (done_.count(key)) continue;
      Response r = Get(fmt::format("{}/api/models/{}?{}", base_, root, ExpandQuery().substr(1)));
      if (r.status == 200) {
        Append(ParseBody(r, "the root's model info"));
      } else {
        spdlog::warn("{}: the Hub has no model info ({}); its derivatives are still crawled", root,
                     r.status);
      }
      done_.insert(key);
      SaveState();
    }
    while (!queue_.empty()) {
      const auto [id, depth] = queue_.front();
      if (done_.count(LowerId(id))) {
        ++summary_.resumed_queries;
        queue_.pop_front();
        continue;
      }
      size_t found = 0;
      for (const char* relation : kRelations) {
        std::string url = fmt::format("{}/api/models?filter={}&limit={}{}", base_,
                                      Escape(fmt::format("base_model:{}{}", relation, id)),
                                      o_.page_size, ExpandQuery());
        while (!url.empty()) {
          Response r = Get(url);
          if (r.status != 200) {
            throw RemoteError(fmt::format("{}: HTTP {} listing derivatives of {}: {}", url,
                                          r.status, id, r.body.substr(0, 200)));
          }
          json page = ParseBody(r, "a model list");
          if (!page.is_array()) throw RemoteError(fmt::format("{}: expected a JSON array", url));
          for (auto& model : page) found += Child(model, depth);
          url = NextPageUrl(r.link).value_or("");
        }
      }
      queue_.pop_front();
      done_.insert(LowerId(id));
      SaveState();
      if (!o_.quiet) {
        spdlog::info("{} (depth {}): {} listed; {} models in the snapshot, {} queued", id, depth,
                     found, seen_.size(), queue_.size());
      }
    }
    summary_.models = seen_.size();
    return summary_;
  }

 private:
  // Loads the snapshot (ids already fetched) and the state file of an earlier run.
  void LoadExisting() {
    base_ = o_.base_url;
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
    for (const auto& r : o_.roots) {
      std::optional<std::string> id = NormaliseModelId(r);
      if (!id || ModelOrg(*id).empty())
        throw InputError(fmt::format("--root: '{}' is not ORG/NAME", r));
      roots_.push_back(*id);
    }
    if (o_.depth < 1) throw InputError("--depth: expected 1 or more");
    if (o_.page_size < 1) throw InputError("--page-size: expected 1 or more");
    std::error_code ec;
    if (fs::exists(o_.snapshot, ec) && fs::file_size(o_.snapshot, ec) > 0) {
      TrimPartialLine();
    }
    if (fs::exists(o_.snapshot, ec) && fs::file_size(o_.snapshot, ec) > 0) {
      SnapshotInfo info;
      std::ifstream in(o_.snapshot, std::ios::binary);
      info.path = o_.snapshot;
      ReadSnapshot(
          in, [&](const ModelRecord& r, size_t) { seen_.insert(LowerId(r.id)); }, info);
    }
    if (fs::exists(state_path_, ec)) {
      json state;
      try {
        std::ifstream in(state_path_);
        state = json::parse(in);
        if (state.at("roots") != json(roots_) || state.at("depth") != o_.depth) {
          throw InputError(
              fmt::format("{}: an earlier crawl for other roots or depth; use another "
                          "--out",
                          state_path_));
        }
        for (const auto& d : state.at("done")) done_.insert(d.get<std::string>());
        for (const auto& q : state.at("queue")) {
          queue_.emplace_back(q.at("id").get<std::string>(), q.at("depth").get<int>());
        }
        started_ = state.value("started", "");
      } catch (const json::exception& e) {
        throw InputError(fmt::format("{}: not a crawl state file ({})", state_path_, e.what()));
      }
    } else {
      for (const auto& r : roots_) queue_.emplace_back(r, 0);
      started_ = Now();
    }
    for (const auto& [id, depth] : queue_) queued_.insert(LowerId(id));
    for (const auto& d : done_) queued_.insert(d);
  }

  // A crawl killed while writing leaves a partial last line; it is cut off.
  void TrimPartialLine() {
    std::fstream f(o_.snapshot, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(0, std::ios::end);
    const std::streamoff size = f.tellg();
    std::streamoff keep = size;
    char c = 0;
    while (keep > 0) {
      f.seekg(keep - 1);
      f.get(c);
      if (c == '\n') break;
      --keep;
    }
    f.close();
    if (keep != size) {
      spdlog::warn("{}: cut an unfinished last line ({} bytes)", o_.snapshot, size - keep);
      fs::resize_file(o_.snapshot, static_cast<uintmax_t>(keep));
    }
  }

  static std::string Now() {
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }

  void SaveState() {
    json queue = json::array();
    for (const auto& [id, depth] : queue_) queue.push_back({{"id", id}, {"depth", depth}});
    std::vector<std::string> done(done_.begin(), done_.end());
    std::sort(done.begin(), done.end());
    const json state = {{"roots", roots_},     {"depth", o_.depth}, {"base_url", base_},
                        {"started", started_}, {"updated", Now()},  {"models", seen_.size()},
                        {"done", done},        {"queue", queue}};
    out_->flush();
    const std::string tmp = state_path_ + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f << state.dump(1) << "\n";
      if (!f) throw InputError(fmt::format("cannot write {}", tmp));
    }
    fs::rename(tmp, state_path_);
  }

  json ParseBody(const Response& r, const char* what) {
    try {
      return json::parse(r.body);
    } catch (const json::exception&) {
      throw RemoteError(fmt::format("{}: the Hub's answer is not JSON ({})", base_, what));
    }
  }

  void Append(const json& model) {
    const auto it = model.find("id");
    if (it == model.end() || !it->is_string()) return;
    if (!seen_.insert(LowerId(it->get<std::string>())).second) return;
    *out_ << model.dump() << '\n';
    ++summary_.new_models;
  }

  size_t Child(const json& model, int parent_depth) {
    if (!model.is_object() || !model.contains("id") || !model["id"].is_string()) return 0;
    Append(model);
    const std::string id = model["id"].get<std::string>();
    if (parent_depth + 1 < o_.depth && NormaliseModelId(id) && queued_.insert(LowerId(id)).second) {
      queue_.emplace_back(id, parent_depth + 1);
    }
    return 1;
  }

  Response Get(const std::string& url) {
    double backoff = o_.first_backoff_seconds;
    int failures = 0, limited = 0;
    while (true) {
      Response r;
      std::string error;
      Fetch(url, r, error);
      ++summary_.requests;
      if (error.empty() && r.status != 429 && r.status < 500) return r;
      double wait = backoff;
      if (r.status == 429) {
        ++summary_.rate_limited;
        if (++limited > 4 * o_.max_retries) {
          throw RemoteError(
              fmt::format("{}: still rate-limited after {} tries; run the same "
                          "command again to resume",
                          url, limited));
        }
        wait =
            RateLimitWaitSeconds(r.retry_after, r.rate_limit, r.rate_limit_reset).value_or(backoff);
      } else if (++failures > o_.max_retries) {
        throw RemoteError(
            fmt::format("{}: {} after {} tries; run the same command again to "
                        "resume",
                        url, error.empty() ? fmt::format("HTTP {}", r.status) : error, failures));
      }
      wait = std::min<double>(wait, o_.max_wait_seconds);
      if (!o_.quiet)
        spdlog::warn("{}: {}; waiting {:.1f} s", url.substr(0, url.find("&expand")),
                     error.empty() ? fmt::format("HTTP {}", r.status) : error, wait);
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
      backoff = std::min<double>(backoff * 2, o_.max_wait_seconds);
    }
  }

  void Fetch(const std::string& url, Response& r, std::string& error) {
    model::EasyHandle easy(curl_easy_init());
    model::HeaderList headers;
    model::AppendHeader(headers, "Accept: application/json");
    if (!o_.token.empty()) model::AppendHeader(headers, "Authorization: Bearer " + o_.token);
    std::string body;
    curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(easy.get(), CURLOPT_USERAGENT, fmt::format("kaieval/{}", kVersion).c_str());
    curl_easy_setopt(easy.get(), CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy.get(), CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(easy.get(), CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(easy.get(), CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(easy.get(), CURLOPT_HEADERDATA, &r);
    const CURLcode code = curl_easy_perform(easy.get());
    if (code != CURLE_OK) {
      error = curl_easy_strerror(code);
      return;
    }
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &r.status);
    r.body = std::move(body);
  }

  const CrawlOptions& o_;
  std::string base_, state_path_, started_;
  std::vector<std::string> roots_;
  std::deque<std::pair<std::string, int>> queue_;
  std::unordered_set<std::string> seen_, done_, queued_;
  std::ofstream* out_ = nullptr;
  CrawlSummary summary_;
};

std::optional<double> Number(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end == text.data() || !(v >= 0) || v > 86400) return std::nullopt;
  return v;
}

}  // namespace

CrawlSummary CrawlHub(const CrawlOptions& options) { return Crawler(options).Run(); }

std::optional<std::string> NextPageUrl(std::string_view header) {
  // Link: <url>; rel="next", <url2>; rel="prev"
  size_t pos = 0;
  while (pos < header.size()) {
    const size_t open = header.find('<', pos);
    if (open == std::string_view::npos) return std::nullopt;
    const size_t close = header.find('>', open);
    if (close == std::string_view::npos) return std::nullopt;
    size_t end = header.find('<', close);
    if (end == std::string_view::npos) end = header.size();
    const std::string params = LowerId(header.substr(close + 1, end - close - 1));
    if (params.find("rel=\"next\"") != std::string::npos ||
        params.find("rel=next") != std::string::npos) {
      return std::string(header.substr(open + 1, close - open - 1));
    }
    pos = end;
  }
  return std::nullopt;
}

std::optional<double> RateLimitWaitSeconds(std::string_view retry_after,
                                           std::string_view rate_limit,
                                           std::string_view rate_limit_reset) {
  if (std::optional<double> v = Number(retry_after)) return v;
  size_t t = rate_limit.find(";t=");
  t = t != std::string_view::npos ? t + 1 : rate_limit.rfind("t=", 0);
  if (t != std::string_view::npos) {
    std::string_view rest = rate_limit.substr(t + 2);
    rest = rest.substr(0, rest.find_first_of(";, "));
    if (std::optional<double> v = Number(rest)) return v;
  }
  return Number(rate_limit_reset);
}

}  // namespace kaieval::lineage

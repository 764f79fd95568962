// The Hub crawl behind `kaieval lineage crawl`: breadth-first from root models over
// GET /api/models?filter=base_model:[RELATION:]ORG/NAME, following Link rel="next" pages,
// backing off on 429 (Retry-After / RateLimit headers), appending every new model to a JSONL
// snapshot and its progress to SNAPSHOT.crawl.json, so an interrupted crawl resumes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kaieval::lineage {

struct CrawlOptions {
  std::vector<std::string> roots;  // ORG/NAME
  std::string snapshot;            // JSONL, appended to; its state file is snapshot + ".crawl.json"
  int depth = 3;                   // levels of derivatives to follow (1 = direct only)
  std::string base_url = "https://huggingface.co";
  size_t page_size = 1000;
  int max_retries = 5;               // per request, for network errors and 5xx (429s: 4x this)
  int max_wait_seconds = 300;        // longest back-off
  double first_backoff_seconds = 1;  // doubled after each failure without a server hint
  std::string token;                 // sent as a Bearer token when not empty (from HF_TOKEN)
  bool quiet = false;
};

struct CrawlSummary {
  size_t models = 0;           // records in the snapshot at the end
  size_t new_models = 0;       // appended by this run
  size_t requests = 0;         // HTTP requests sent, retries included
  size_t rate_limited = 0;     // 429 answers
  size_t resumed_queries = 0;  // base models already done by an earlier run
};

// Runs (or resumes) the crawl. Throws InputError for bad options or a state file from another
// crawl, RemoteError (exit 3) when the Hub keeps failing; what was fetched stays in the
// snapshot and the same command resumes.
CrawlSummary CrawlHub(const CrawlOptions& options);

// The URL of a Link header's rel="next" entry, if any.
std::optional<std::string> NextPageUrl(std::string_view link_header);

// Seconds to wait after a 429: Retry-After (seconds), else the "t=" of an IETF RateLimit header
// ("api";r=0;t=42), else RateLimit-Reset; nullopt when none says.
std::optional<double> RateLimitWaitSeconds(std::string_view retry_after,
                                           std::string_view rate_limit,
                                           std::string_view rate_limit_reset);

}  // namespace kaieval::lineage

#include "kaieval/common/http_api.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <filesystem>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"

namespace kaieval {

using nlohmann::json;

std::string RandomToken() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n <= 0) throw Error(ExitCode::kInternal, "getrandom failed");
    got += static_cast<size_t>(n);
  }
  std::string hex;
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return hex;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  unsigned diff = a.size() != b.size();
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SendOrderedJson(httplib::Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                  "application/json");
}

void SendError(httplib::Response& res, const ApiError& e) {
  if (e.retry_after_s > 0) res.set_header("Retry-After", std::to_string(e.retry_after_s));
  SendJson(res, e.status, {{"error", {{"code", e.code}, {"message", e.what()}}}});
}

json ParseBody(const httplib::Request& req) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    throw ApiError(400, "bad_json", "the request body must be a JSON object");
  }
  return body;
}

std::string StringField(const json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_string()) {
    throw ApiError(400, "bad_request", fmt::format("'{}' must be a string", field));
  }
  return it->get<std::string>();
}

void SendPage(httplib::Response& res, const std::string& web_root, const char* file) {
  std::string html;
  try {
    if (!web_root.empty()) html = ReadFileBytes(std::filesystem::path(web_root) / file);
  } catch (const InputError&) {
  }
  if (html.empty()) {
    throw ApiError(404, "no_pages", "the web pages are not built (cd web && npm run build)");
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_content(html, "text/html; charset=utf-8");
}

}  // namespace kaieval

// What every kaieval JSON API shares: the refusal a client sees (ApiError: status, stable code,
// message), JSON replies, body parsing, the pages' security headers and unguessable tokens.
// Used by the contest routes (arena/), the stage dashboard and the review page (server/).
#pragma once

#include <httplib.h>

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace kaieval {

// A refusal the client must see: an HTTP status, a stable code and a message.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message, int retry_after_s = 0)
      : std::runtime_error(message), status(status), code(std::move(code)),
        retry_after_s(retry_after_s) {}
  int status;
  std::string code;
  int retry_after_s;  // > 0: sent as Retry-After
};

// Pages and model output are untrusted-safe only together with a strict policy: no inline
// scripts, nothing from elsewhere.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'";

// 32 hex characters from the operating system's random source: unguessable ids and tokens.
std::string RandomToken();

// Compares without an early exit, so that a secret does not leak through timing.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
// The same, keeping the keys in their insertion order (reports).
void SendOrderedJson(httplib::Response& res, int status, const nlohmann::ordered_json& body);
// {"error": {"code", "message"}} with the error's status (and Retry-After).
void SendError(httplib::Response& res, const ApiError& e);

// The body as a JSON object; ApiError 400 bad_json otherwise.
nlohmann::json ParseBody(const httplib::Request& req);
// body[field] as a string; ApiError 400 bad_request otherwise.
std::string StringField(const nlohmann::json& body, const char* field);

// Answers with WEB_ROOT/FILE as HTML; ApiError 404 no_pages when it is not built.
void SendPage(httplib::Response& res, const std::string& web_root, const char* file);

// Runs `handler`, answering an ApiError with its JSON error body.
template <typename F>
void Guarded(httplib::Response& res, F&& handler) {
  try {
    handler();
  } catch (const ApiError& e) {
    SendError(res, e);
  }
}

}  // namespace kaieval

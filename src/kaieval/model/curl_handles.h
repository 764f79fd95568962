// RAII owners of libcurl handles (easy, multi, header lists) and the one-time global init.
// Used by HttpTransport; nothing else in kaieval touches libcurl.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace kaieval::model {

// Runs curl_global_init exactly once, thread-safely, before the first curl call.
void EnsureCurlGlobalInit();

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends one "Name: value" line; throws std::bad_alloc when curl cannot.
void AppendHeader(HeaderList& list, const std::string& header);

}  // namespace kaieval::model

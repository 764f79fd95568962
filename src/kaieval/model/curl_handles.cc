#include "kaieval/model/curl_handles.h"

#include <new>
#include <stdexcept>

namespace kaieval::model {

// A function-local static gives a once-only, race-free init without a global.
void EnsureCurlGlobalInit() {
  struct CurlGlobal {
    CurlGlobal() {
      if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        throw std::runtime_error("curl_global_init failed");
      }
    }
    ~CurlGlobal() { curl_global_cleanup(); }
  };
  static const CurlGlobal global;
}

void AppendHeader(HeaderList& list, const std::string& header) {
  curl_slist* grown = curl_slist_append(list.get(), header.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  (void)list.release();  // `grown` now owns the old nodes
  list.reset(grown);
}

}  // namespace kaieval::model

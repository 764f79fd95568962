#include "kaieval/common/hash.h"

#include <xxhash.h>

#include <cstdint>
#include <cstdio>

namespace kaieval {

static std::string ToHex(XXH128_hash_t h) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return std::string(buf, 32);
}

std::string ContentHash(std::string_view bytes) {
  return ToHex(XXH3_128bits(bytes.data(), bytes.size()));
}

std::string ContentHash(std::initializer_list<std::string_view> fields) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  for (std::string_view f : fields) {
    uint64_t len = f.size();
    XXH3_128bits_update(state, &len, sizeof len);
    XXH3_128bits_update(state, f.data(), f.size());
  }
  XXH128_hash_t h = XXH3_128bits_digest(state);
  XXH3_freeState(state);
  return ToHex(h);
}

}  // namespace kaieval

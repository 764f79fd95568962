// IdTable: interns strings (model ids, uploader names) compared ASCII case-insensitively, the
// way the Hub compares repo ids, into dense indices; one arena of bytes and an open-addressing
// index, so two million ids cost about 60 bytes each. Used by LineageGraph.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kaieval::lineage {

class IdTable {
 public:
  // The index of `name` (at most 255 bytes), added with the spelling given when new.
  uint32_t Intern(std::string_view name);
  std::optional<uint32_t> Find(std::string_view name) const;
  std::string_view Name(uint32_t index) const {
    const uint64_t e = entries_[index];
    return std::string_view(arena_.data() + (e >> 8), e & 0xff);
  }
  size_t size() const { return entries_.size(); }
  // Room for `n` names without rehashing.
  void Reserve(size_t n);

 private:
  static uint64_t Hash(std::string_view name);
  size_t Slot(std::string_view name, uint64_t hash) const;  // of the name, or the empty slot
  void Grow();

  std::string arena_;
  std::vector<uint64_t> entries_;  // offset into arena_ << 8 | length
  struct Slot_ {
    uint32_t index_plus_one = 0;  // 0: empty
    uint32_t hash = 0;            // the high half of the name's hash, compared first
  };
  std::vector<Slot_> slots_;
};

}  // namespace kaieval::lineage

#include "kaieval/lineage/id_table.h"

#include <xxhash.h>

#include <algorithm>
#include <stdexcept>

#include "kaieval/lineage/model_id.h"

namespace kaieval::lineage {

uint64_t IdTable::Hash(std::string_view name) {
  char lower[256];
  const size_t n = std::min<size_t>(name.size(), sizeof(lower));
  for (size_t i = 0; i < n; ++i) {
    const char c = name[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return XXH3_64bits(lower, n);
}

size_t IdTable::Slot(std::string_view name, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  const uint32_t high = static_cast<uint32_t>(hash >> 32);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot_& s = slots_[i];
    if (s.index_plus_one == 0 || (s.hash == high && SameId(Name(s.index_plus_one - 1), name))) {
      return i;
    }
  }
}

void IdTable::Grow() {
  std::vector<Slot_> old = std::move(slots_);
  slots_.assign(std::max<size_t>(1024, old.size() * 2), Slot_{});
  const size_t mask = slots_.size() - 1;
  for (const Slot_& s : old) {
    if (s.index_plus_one == 0) continue;
    // The low half of the hash picks the slot; rehash it from the name (kept high half).
    size_t i = Hash(Name(s.index_plus_one - 1)) & mask;
    while (slots_[i].index_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void IdTable::Reserve(size_t n) {
  while (slots_.size() < 2 * (n + 1)) Grow();
  entries_.reserve(n);
}

std::optional<uint32_t> IdTable::Find(std::string_view name) const {
  if (slots_.empty() || name.size() > 255) return std::nullopt;
  const uint32_t s = slots_[Slot(name, Hash(name))].index_plus_one;
  if (s == 0) return std::nullopt;
  return s - 1;
}

uint32_t IdTable::Intern(std::string_view name) {
  if (name.size() > 255) name = name.substr(0, 255);
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
  const uint64_t hash = Hash(name);
  const size_t slot = Slot(name, hash);
  if (slots_[slot].index_plus_one != 0) return slots_[slot].index_plus_one - 1;
  if (entries_.size() >= UINT32_MAX - 1) throw std::length_error("IdTable: too many ids");
  entries_.push_back(static_cast<uint64_t>(arena_.size()) << 8 | name.size());
  arena_.append(name);
  slots_[slot] = {static_cast<uint32_t>(entries_.size()), static_cast<uint32_t>(hash >> 32)};
  return static_cast<uint32_t>(entries_.size() - 1);
}

}  // namespace kaieval::lineage

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
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t s = slots_[i];
    if (s == 0 || SameId(Name(s - 1), name)) return i;
  }
}

void IdTable::Grow() {
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(std::max<size_t>(1024, old.size() * 2), 0);
  const size_t mask = slots_.size() - 1;
  for (uint32_t s : old) {
    if (s == 0) continue;
    size_t i = Hash(Name(s - 1)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

std::optional<uint32_t> IdTable::Find(std::string_view name) const {
  if (slots_.empty() || name.size() > 255) return std::nullopt;
  const uint32_t s = slots_[Slot(name, Hash(name))];
  if (s == 0) return std::nullopt;
  return s - 1;
}

uint32_t IdTable::Intern(std::string_view name) {
  if (name.size() > 255) name = name.substr(0, 255);
  if ((offsets_.size() + 1) * 2 > slots_.size()) Grow();
  const size_t slot = Slot(name, Hash(name));
  if (slots_[slot] != 0) return slots_[slot] - 1;
  if (offsets_.size() >= UINT32_MAX - 1) throw std::length_error("IdTable: too many ids");
  offsets_.push_back(arena_.size());
  lengths_.push_back(static_cast<uint8_t>(name.size()));
  arena_.append(name);
  slots_[slot] = static_cast<uint32_t>(offsets_.size());
  return static_cast<uint32_t>(offsets_.size() - 1);
}

}  // namespace kaieval::lineage

// libFuzzer target: arbitrary bytes read as kaieval battle JSONL and as a FastChat battle array,
// with and without style counts, give battles or an InputError, never a crash; what is read
// is consistent (cell counts add up, indices are in range, names sorted and unique).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "kaieval/arena/battle_file.h"
#include "kaieval/common/error.h"

namespace {

void Check(const kaieval::arena::BattleFile& f, bool style) {
  uint64_t total = 0;
  for (const auto& c : f.cells) {
    if (c.model_a >= c.model_b || c.model_b >= f.models.size() || c.count == 0) __builtin_trap();
    total += c.count;
  }
  if (total != f.counted) __builtin_trap();
  for (size_t i = 1; i < f.models.size(); ++i) {
    if (!(f.models[i - 1] < f.models[i])) __builtin_trap();
  }
  if (style && (f.styles.size() != f.counted || f.battles.size() != f.counted)) __builtin_trap();
  for (const auto& b : f.battles) {
    if (b.model_a >= f.models.size() || b.model_b >= f.models.size()) __builtin_trap();
  }
}

void ReadAs(const std::string& bytes, kaieval::arena::BattleFormat format, bool style) {
  std::istringstream in(bytes);
  try {
    Check(kaieval::arena::ReadBattles(in, "fuzz", {.format = format, .style = style}), style);
  } catch (const kaieval::InputError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  using kaieval::arena::BattleFormat;
  for (bool style : {false, true}) {
    ReadAs(bytes, BattleFormat::kKaieval, style);
    ReadAs(bytes, BattleFormat::kFastChat, style);
  }
  return 0;
}

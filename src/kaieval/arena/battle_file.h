// Arena battle files: FastChat's clean_battle_*.json (a JSON array of battle objects) and
// kaieval's battle JSONL (one object per line), read as a stream and counted into battle cells
// as they go, so memory grows with the distinct (model_a, model_b, winner) cells, not the
// battles. Used by `kaieval arena rate`; the contest server's vote export is in this format.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/stats/bradley_terry.h"
#include "kaieval/stats/style_control.h"

namespace kaieval::arena {

// A battle record has "model_a" and "model_b" (different, non-empty strings) and "winner", one
// of "model_a", "model_b", "tie", "tie (bothbad)". Optional: "judge" (string), "tstamp"
// (number), "anony" (boolean), "excluded" (boolean; true = a vote the contest did not count,
// skipped), and "conv_metadata" with the style counts sum_assistant_a_tokens, header_count_a,
// list_count_a, bold_count_a and their _b twins, each a number or an object of numbers
// (summed), as FastChat writes them. Other fields are ignored.
enum class BattleFormat {
  kAuto,      // from the file name: .json is FastChat, anything else kaieval JSONL
  kKaieval,   // JSONL, one battle per line; blank lines are skipped
  kFastChat,  // one JSON array of battles
};

// "kaieval" or "fastchat"; throws InputError naming `field` for anything else.
BattleFormat ParseBattleFormat(std::string_view name, std::string_view field);

struct BattleFileOptions {
  BattleFormat format = BattleFormat::kAuto;
  bool drop_ties = false;   // skip "tie" and "tie (bothbad)" battles
  bool anony_only = false;  // keep only "anony": true battles; the field is then required
  // Keep every counted battle in file order (BattleFile::battles), e.g. for online Elo.
  bool keep_battles = false;
  // Also keep each battle's style counts (BattleFile::styles); conv_metadata is then required.
  // Implies keep_battles.
  bool style = false;
};

struct BattleFile {
  std::vector<std::string> models;         // sorted by name; the battles' indices refer to this
  std::vector<stats::BattleCell> cells;    // every counted battle: stats::AggregateBattles order
  std::vector<stats::Battle> battles;      // with keep_battles or style, in file order
  std::vector<stats::BattleStyle> styles;  // with style, one per battle
  size_t records = 0;                      // battle records read
  size_t counted = 0;                      // of which counted (the sum of the cells' counts)
  size_t dropped_ties = 0;                 // by drop_ties
  size_t dropped_not_anony = 0;            // by anony_only
  size_t dropped_excluded = 0;             // "excluded": true
};

// Reads `path` (format kAuto resolved from its name). Bad input throws InputError naming the
// file and the line (JSONL: "votes.jsonl:12: winner: ...") or the element (JSON:
// "battles.json[11]: winner: ..."; 0-based), the field and what was expected.
BattleFile ReadBattleFile(const std::string& path, const BattleFileOptions& options = {});

// The same from a stream; `name` stands for the file in messages. kAuto reads JSONL.
BattleFile ReadBattles(std::istream& in, const std::string& name,
                       const BattleFileOptions& options = {});

}  // namespace kaieval::arena

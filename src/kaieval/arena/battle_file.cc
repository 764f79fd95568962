#include "kaieval/arena/battle_file.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kaieval/common/error.h"

namespace kaieval::arena {
namespace {

constexpr size_t kFirstChunkBytes = size_t{1} << 16;
constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr size_t kMaxModels = size_t{1} << 16;  // what the rating fit supports

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// User text for a one-line message: control characters replaced, at most 60 bytes.
std::string Quote(std::string_view text) {
  std::string out(text.substr(0, 60));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return "'" + out + (text.size() > 60 ? "...'" : "'");
}

// Cuts a stream into the text of battle records, one line of JSONL or one element of a JSON
// array at a time, reading up to 1 MiB at a time. A record stays valid until the next call and is
// followed by SIMDJSON_PADDING readable bytes, so simdjson parses it in place. Array elements
// are found by tracking strings and nesting only; simdjson then checks each element.
class RecordSplitter {
 public:
  RecordSplitter(std::istream& in, std::string name, bool json_array)
      : in_(in), name_(std::move(name)), json_array_(json_array) {}

  bool Next(std::string_view& record) {
    if (!started_) {  // skip a UTF-8 byte order mark
      started_ = true;
      while (end_ < 3 && Fill()) {
      }
      if (end_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) begin_ = scan_ = 3;
    }
    return json_array_ ? NextElement(record) : NextLine(record);
  }

  // "name:line" or "name[index]" for the last record.
  std::string Where() const {
    return json_array_ ? fmt::format("{}[{}]", name_, index_ - 1)
                       : fmt::format("{}:{}", name_, line_);
  }

 private:
  // Reads more after end_, first moving the unconsumed bytes [begin_, end_) to the front.
  // False when the stream had nothing more.
  bool Fill() {
    if (eof_) return false;
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      scan_ -= begin_;
      begin_ = 0;
    }
    // A small first read, so that a small input costs little.
    const size_t chunk = buf_.empty() ? kFirstChunkBytes : kChunkBytes;
    const size_t need = end_ + chunk + simdjson::SIMDJSON_PADDING;
    if (buf_.size() < need) buf_.resize(std::max(need, buf_.size() * 2));
    in_.read(buf_.data() + end_, static_cast<std::streamsize>(chunk));
    const size_t got = static_cast<size_t>(in_.gcount());
    if (in_.bad()) throw InputError(fmt::format("{}: read error", name_));
    end_ += got;
    if (got < chunk) eof_ = true;
    return got > 0;
  }

  bool NextLine(std::string_view& record) {
    while (true) {
      // memchr must not see a null pointer, which an empty buffer's data() may be.
      const void* newline =
          end_ > scan_ ? std::memchr(buf_.data() + scan_, '\n', end_ - scan_) : nullptr;
      size_t stop = 0;
      if (newline != nullptr) {
        stop = static_cast<size_t>(static_cast<const char*>(newline) - buf_.data());
      } else if (!eof_) {
        scan_ = end_;
        Fill();
        continue;
      } else if (begin_ < end_) {
        stop = end_;
      } else {
        return false;
      }
      ++line_;
      size_t start = begin_, finish = stop;
      begin_ = scan_ = std::min(stop + 1, end_);
      while (start < finish && IsSpace(buf_[start])) ++start;
      while (finish > start && IsSpace(buf_[finish - 1])) --finish;
      if (start == finish) continue;  // a blank line
      record = std::string_view(buf_.data() + start, finish - start);
      return true;
    }
  }

  // Moves scan_ (and begin_) past whitespace; false if the stream ends first.
  bool SkipSpace() {
    while (true) {
      while (scan_ < end_ && IsSpace(buf_[scan_])) ++scan_;
      begin_ = scan_;
      if (scan_ < end_) return true;
      if (!Fill()) return false;
    }
  }

  bool NextElement(std::string_view& record) {
    if (state_ == State::kOpen) {
      if (!SkipSpace() || buf_[scan_] != '[') {
        throw InputError(fmt::format(
            "{}: expected a JSON array of battle objects (FastChat's clean_battle format)", name_));
      }
      ++scan_;
      state_ = State::kFirst;
    }
    if (state_ == State::kDone) {
      if (SkipSpace()) throw InputError(fmt::format("{}: unexpected text after the array", name_));
      return false;
    }
    if (!SkipSpace()) throw InputError(fmt::format("{}: the array is not closed", name_));
    if (buf_[scan_] == ']') {
      if (state_ == State::kAfterComma) {
        throw InputError(fmt::format("{}[{}]: expected a battle after ','", name_, index_));
      }
      ++scan_;
      state_ = State::kDone;
      return NextElement(record);
    }
    // Scan the element up to a ',' or ']' outside strings and nesting.
    int64_t depth = 0;
    bool in_string = false, escape = false;
    while (true) {
      if (scan_ == end_ && !Fill()) {
        throw InputError(fmt::format("{}[{}]: the array is not closed", name_, index_));
      }
      const char c = buf_[scan_];
      if (in_string) {
        if (escape) {
          escape = false;
        } else if (c == '\\') {
          escape = true;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && depth > 0) {
        --depth;
      } else if (depth == 0 && (c == ',' || c == ']')) {
        if (scan_ == begin_) {
          throw InputError(fmt::format("{}[{}]: expected a battle before '{}'", name_, index_, c));
        }
        record = std::string_view(buf_.data() + begin_, scan_ - begin_);
        state_ = c == ',' ? State::kAfterComma : State::kDone;
        begin_ = ++scan_;
        ++index_;
        return true;
      }
      ++scan_;
    }
  }

  std::istream& in_;
  std::string name_;
  bool json_array_;
  std::vector<char> buf_;
  size_t begin_ = 0;  // first byte not yet handed out
  size_t scan_ = 0;   // first byte not yet looked at
  size_t end_ = 0;    // end of the bytes read
  bool eof_ = false;
  bool started_ = false;
  size_t line_ = 0;   // JSONL: line number of the last record
  size_t index_ = 0;  // JSON: records handed out so far
  enum class State { kOpen, kFirst, kAfterComma, kDone } state_ = State::kOpen;
};

// Where a record is, formatted only when a message needs it (formatting every record's
// location costs more than parsing it).
struct Location {
  const RecordSplitter& splitter;
};

}  // namespace
}  // namespace kaieval::arena

template <>
struct fmt::formatter<kaieval::arena::Location> : fmt::formatter<std::string> {
  auto format(const kaieval::arena::Location& l, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(l.splitter.Where(), ctx);
  }
};

namespace kaieval::arena {
namespace {

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// One record's fields, as far as they were present.
struct Record {
  std::string_view model_a, model_b;
  stats::Battle::Outcome outcome = stats::Battle::Outcome::kTie;
  bool has_winner = false;
  int anony = -1;  // -1 absent, else 0 or 1
  bool excluded = false;
  simdjson::dom::element conv_metadata;
  bool has_conv_metadata = false;
};

std::string_view StringField(simdjson::dom::element value, const Location& where,
                             std::string_view key, bool non_empty) {
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS || (non_empty && text.empty())) {
    throw InputError(
        fmt::format("{}: {}: expected a{} string", where, key, non_empty ? " non-empty" : ""));
  }
  return text;
}

bool BoolField(simdjson::dom::element value, const Location& where, std::string_view key) {
  bool flag = false;
  if (value.get(flag) != simdjson::SUCCESS) {
    throw InputError(fmt::format("{}: {}: expected true or false", where, key));
  }
  return flag;
}

Record ParseRecord(simdjson::dom::element doc, const Location& where) {
  simdjson::dom::object object;
  if (doc.get(object) != simdjson::SUCCESS) {
    throw InputError(fmt::format("{}: expected a JSON object (one battle)", where));
  }
  Record r;
  for (auto field : object) {
    const std::string_view key = field.key;
    if (key == "model_a") {
      r.model_a = StringField(field.value, where, key, true);
    } else if (key == "model_b") {
      r.model_b = StringField(field.value, where, key, true);
    } else if (key == "winner") {
      const std::string_view w = StringField(field.value, where, key, false);
      using Outcome = stats::Battle::Outcome;
      if (w == "model_a") {
        r.outcome = Outcome::kWinA;
      } else if (w == "model_b") {
        r.outcome = Outcome::kWinB;
      } else if (w == "tie") {
        r.outcome = Outcome::kTie;
      } else if (w == "tie (bothbad)") {
        r.outcome = Outcome::kBothBad;
      } else {
        throw InputError(fmt::format(
            "{}: winner: {}; expected model_a, model_b, tie or tie (bothbad)", where, Quote(w)));
      }
      r.has_winner = true;
    } else if (key == "anony") {
      r.anony = BoolField(field.value, where, key) ? 1 : 0;
    } else if (key == "excluded") {
      r.excluded = BoolField(field.value, where, key);
    } else if (key == "judge") {
      StringField(field.value, where, key, false);
    } else if (key == "tstamp") {
      if (!field.value.is_number()) {
        throw InputError(fmt::format("{}: tstamp: expected a number (seconds)", where));
      }
    } else if (key == "conv_metadata") {
      if (!field.value.is_object()) {
        throw InputError(fmt::format("{}: conv_metadata: expected an object", where));
      }
      r.conv_metadata = field.value;
      r.has_conv_metadata = true;
    }
  }
  if (r.model_a.empty()) throw InputError(fmt::format("{}: model_a: missing", where));
  if (r.model_b.empty()) throw InputError(fmt::format("{}: model_b: missing", where));
  if (!r.has_winner) throw InputError(fmt::format("{}: winner: missing", where));
  if (r.model_a == r.model_b) {
    throw InputError(fmt::format("{}: model_b: the same model as model_a ({}); expected two", where,
                                 Quote(r.model_a)));
  }
  return r;
}

// A count in conv_metadata: a number, or an object of numbers that are summed (FastChat's
// header_count_a is {"h1": 0, "h2": 2, ...}).
double StyleCount(simdjson::dom::object meta, const char* key, const Location& where) {
  simdjson::dom::element value;
  const std::string field = fmt::format("conv_metadata.{}", key);
  if (meta[key].get(value) != simdjson::SUCCESS) {
    throw InputError(fmt::format("{}: {}: missing; style control needs it", where, field));
  }
  auto number = [&](simdjson::dom::element e) {
    double x = 0;
    if (e.is_int64()) {
      x = static_cast<double>(int64_t(e));
    } else if (e.is_uint64()) {
      x = static_cast<double>(uint64_t(e));
    } else if (e.is_double()) {
      x = double(e);
    } else {
      throw InputError(
          fmt::format("{}: {}: expected a count or an object of counts", where, field));
    }
    if (!std::isfinite(x) || x < 0) {
      throw InputError(fmt::format("{}: {}: expected a count >= 0", where, field));
    }
    return x;
  };
  if (!value.is_object()) return number(value);
  double sum = 0;
  for (auto part : simdjson::dom::object(value)) sum += number(part.value);
  return sum;
}

stats::BattleStyle ParseStyle(const Record& r, const Location& where) {
  if (!r.has_conv_metadata) {
    throw InputError(fmt::format(
        "{}: conv_metadata: missing; style control needs the style counts of every battle", where));
  }
  const simdjson::dom::object meta(r.conv_metadata);
  auto side = [&](const char* length, const char* headers, const char* lists, const char* bold) {
    return stats::AnswerStyle{.length = StyleCount(meta, length, where),
                              .headers = StyleCount(meta, headers, where),
                              .lists = StyleCount(meta, lists, where),
                              .bold = StyleCount(meta, bold, where)};
  };
  return {side("sum_assistant_a_tokens", "header_count_a", "list_count_a", "bold_count_a"),
          side("sum_assistant_b_tokens", "header_count_b", "list_count_b", "bold_count_b")};
}

// Counts per 64-bit key in an open-addressing table (linear probing, at most half full): one
// probe per battle where std::unordered_map chases a node pointer.
class KeyCounter {
 public:
  void Add(uint64_t key) {
    if (2 * (size_ + 1) > slots_.size()) Grow();
    Slot& slot = Find(slots_, key);
    if (slot.count == 0) {
      slot.key = key;
      ++size_;
    }
    ++slot.count;
  }

  template <typename F>
  void ForEach(F f) const {
    for (const Slot& slot : slots_) {
      if (slot.count > 0) f(slot.key, slot.count);
    }
  }

 private:
  struct Slot {
    uint64_t key = 0;
    uint64_t count = 0;  // 0 = empty
  };

  static Slot& Find(std::vector<Slot>& slots, uint64_t key) {
    const size_t mask = slots.size() - 1;
    size_t i = static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    while (slots[i].count > 0 && slots[i].key != key) i = (i + 1) & mask;
    return slots[i];
  }

  void Grow() {
    std::vector<Slot> bigger(std::max<size_t>(1024, 2 * slots_.size()));
    for (const Slot& slot : slots_) {
      if (slot.count > 0) Find(bigger, slot.key) = slot;
    }
    slots_.swap(bigger);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// Model names and cell counts under provisional indices (order of first appearance),
// renumbered by name at the end.
class BattleCounter {
 public:
  explicit BattleCounter(BattleFile& out) : out_(out) {}

  uint32_t Index(std::string_view model, const Location& where) {
    auto it = index_.find(model);
    if (it != index_.end()) return it->second;
    if (names_.size() == kMaxModels) {
      throw InputError(fmt::format("{}: more than {} models", where, kMaxModels));
    }
    names_.emplace_back(model);
    index_.emplace(names_.back(), static_cast<uint32_t>(names_.size() - 1));
    return static_cast<uint32_t>(names_.size() - 1);
  }

  void Count(uint32_t a, uint32_t b, stats::Battle::Outcome outcome) {
    counts_.Add((uint64_t{a} << 18 | uint64_t{b} << 2) | static_cast<uint64_t>(outcome));
  }

  void Finish() {
    std::vector<uint32_t> order(names_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](uint32_t x, uint32_t y) { return names_[x] < names_[y]; });
    std::vector<uint32_t> renumber(names_.size());
    for (uint32_t i = 0; i < order.size(); ++i) {
      renumber[order[i]] = i;
      out_.models.push_back(names_[order[i]]);
    }
    std::vector<stats::BattleCell> cells;
    counts_.ForEach([&](uint64_t key, uint64_t count) {
      cells.push_back({renumber[key >> 18], renumber[(key >> 2) & 0xFFFF],
                       static_cast<stats::Battle::Outcome>(key & 3), 1.0, count});
    });
    counts_ = KeyCounter();
    out_.cells = stats::AggregateBattles(out_.models.size(), cells);
    for (stats::Battle& b : out_.battles) {
      b.model_a = renumber[b.model_a];
      b.model_b = renumber[b.model_b];
    }
  }

 private:
  BattleFile& out_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t, TransparentHash, std::equal_to<>> index_;
  KeyCounter counts_;
};

}  // namespace

BattleFormat ParseBattleFormat(std::string_view name, std::string_view field) {
  if (name == "kaieval") return BattleFormat::kKaieval;
  if (name == "fastchat") return BattleFormat::kFastChat;
  throw InputError(fmt::format("{}: {}; expected kaieval or fastchat", field, Quote(name)));
}

BattleFile ReadBattles(std::istream& in, const std::string& name,
                       const BattleFileOptions& options) {
  BattleFile out;
  RecordSplitter splitter(in, name, options.format == BattleFormat::kFastChat);
  BattleCounter counter(out);
  simdjson::dom::parser parser;
  const bool keep = options.keep_battles || options.style;
  std::string_view text;
  while (splitter.Next(text)) {
    const Location where{splitter};
    simdjson::dom::element doc;
    const simdjson::error_code error = parser.parse(text.data(), text.size(), false).get(doc);
    if (error != simdjson::SUCCESS) {
      throw InputError(
          fmt::format("{}: not valid JSON ({})", where, simdjson::error_message(error)));
    }
    const Record r = ParseRecord(doc, where);
    ++out.records;
    if (r.excluded) {
      ++out.dropped_excluded;
      continue;
    }
    if (options.anony_only) {
      if (r.anony < 0) {
        throw InputError(
            fmt::format("{}: anony: missing; --anony-only needs it on every battle", where));
      }
      if (r.anony == 0) {
        ++out.dropped_not_anony;
        continue;
      }
    }
    const bool tie =
        r.outcome == stats::Battle::Outcome::kTie || r.outcome == stats::Battle::Outcome::kBothBad;
    if (options.drop_ties && tie) {
      ++out.dropped_ties;
      continue;
    }
    if (options.style) out.styles.push_back(ParseStyle(r, where));
    const uint32_t a = counter.Index(r.model_a, where);
    const uint32_t b = counter.Index(r.model_b, where);
    if (keep) out.battles.push_back({a, b, r.outcome});
    counter.Count(a, b, r.outcome);
    ++out.counted;
  }
  counter.Finish();
  return out;
}

BattleFile ReadBattleFile(const std::string& path, const BattleFileOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open", path));
  BattleFileOptions resolved = options;
  if (resolved.format == BattleFormat::kAuto) {
    const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    resolved.format = json ? BattleFormat::kFastChat : BattleFormat::kKaieval;
  }
  return ReadBattles(in, path, resolved);
}

}  // namespace kaieval::arena

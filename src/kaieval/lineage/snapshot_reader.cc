#include "kaieval/lineage/snapshot_reader.h"

#include <fmt/format.h>
#include <simdjson.h>
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "kaieval/common/error.h"

namespace kaieval::lineage {
namespace {

constexpr size_t kChunkBytes = size_t{4} << 20;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void NoteMissing(SnapshotInfo& info, const std::string& field, size_t line) {
  for (auto& m : info.missing) {
    if (m.field == field) {
      ++m.records;
      return;
    }
  }
  info.missing.push_back({field, 1, line});
}

}  // namespace

void SnapshotInfo::AddProblem(size_t line, std::string message) {
  ++problem_count;
  if (problems.size() < kMaxProblems) problems.push_back({line, std::move(message)});
}

// Lines are cut from a window [begin, end) of buf; a line longer than the window grows it.
// Every byte read is also fed to `hash` when given.
static void ReadLines(std::istream& in, const RecordSink& sink, SnapshotInfo& info,
                      XXH3_state_t* hash) {
  simdjson::dom::parser parser;
  ModelRecord record;
  std::string buf;
  size_t begin = 0, end = 0, scan = 0, line = 0;
  bool eof = false;
  auto fill = [&] {
    if (begin > 0) {
      std::memmove(buf.data(), buf.data() + begin, end - begin);
      end -= begin;
      scan -= begin;
      begin = 0;
    }
    const size_t need = end + kChunkBytes + simdjson::SIMDJSON_PADDING;
    if (buf.size() < need) buf.resize(std::max(need, buf.size() * 2));
    in.read(buf.data() + end, static_cast<std::streamsize>(kChunkBytes));
    const size_t got = static_cast<size_t>(in.gcount());
    if (in.bad()) throw InputError(fmt::format("{}: read error", info.path));
    if (hash != nullptr) XXH3_128bits_update(hash, buf.data() + end, got);
    end += got;
    if (got < kChunkBytes) eof = true;
  };
  while (true) {
    const void* newline = end > scan ? std::memchr(buf.data() + scan, '\n', end - scan) : nullptr;
    size_t stop = 0;
    if (newline != nullptr) {
      stop = static_cast<size_t>(static_cast<const char*>(newline) - buf.data());
    } else if (!eof) {
      scan = end;
      fill();
      continue;
    } else if (begin < end) {
      stop = end;
    } else {
      break;
    }
    ++line;
    size_t start = begin, finish = stop;
    begin = scan = std::min(stop + 1, end);
    if (line == 1 && finish - start >= 3 && std::memcmp(buf.data() + start, "\xEF\xBB\xBF", 3) == 0) {
      start += 3;
    }
    while (start < finish && IsSpace(buf[start])) ++start;
    while (finish > start && IsSpace(buf[finish - 1])) --finish;
    if (start == finish) continue;
    ++info.lines;
    const std::string error =
        ParseModelRecord(parser, std::string_view(buf.data() + start, finish - start), record);
    if (!error.empty()) {
      ++info.skipped;
      info.AddProblem(line, error);
      continue;
    }
    for (auto& p : record.problems) info.AddProblem(line, std::move(p));
    for (const auto& m : record.missing) NoteMissing(info, m, line);
    ++info.records;
    if (record.created_day != kUnknownDay) {
      info.latest_day = info.latest_day == kUnknownDay ? record.created_day
                                                       : std::max(info.latest_day, record.created_day);
    }
    sink(record, line);
  }
  if (info.records == 0) {
    const std::string why = info.problems.empty()
                                ? std::string("no model records")
                                : fmt::format("no usable model record (line {}: {})",
                                              info.problems[0].line, info.problems[0].message);
    throw InputError(fmt::format("{}: {}", info.path, why));
  }
}

void ReadSnapshot(std::istream& in, const RecordSink& sink, SnapshotInfo& info) {
  ReadLines(in, sink, info, nullptr);
}

void ReadSnapshotFile(const std::string& path, const RecordSink& sink, SnapshotInfo& info) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open the snapshot", path));
  info.path = path;
  XXH3_state_t state;
  XXH3_128bits_reset(&state);
  ReadLines(in, sink, info, &state);
  const XXH128_hash_t h = XXH3_128bits_digest(&state);
  info.content_hash = fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

}  // namespace kaieval::lineage

#include "kaieval/lineage/snapshot_reader.h"

#include <fmt/format.h>
#include <simdjson.h>
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "kaieval/common/error.h"

namespace kaieval::lineage {
namespace {

constexpr size_t kChunkBytes = size_t{4} << 20;
constexpr size_t kFirstChunkBytes = size_t{64} << 10;  // a small snapshot costs little

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

namespace {

// Cuts a stream into lines from a window [begin, end) of buf; a line longer than the window
// grows it. Each line stays valid until the next call and is followed by SIMDJSON_PADDING
// readable bytes. Every byte read is also fed to `hash` when given.
class LineSplitter {
 public:
  LineSplitter(std::istream& in, const std::string& path, XXH3_state_t* hash)
      : in_(in), path_(path), hash_(hash) {}

  bool Next(std::string_view& text, size_t& line) {
    while (true) {
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
      if (line_ == 1 && finish - start >= 3 &&
          std::memcmp(buf_.data() + start, "\xEF\xBB\xBF", 3) == 0) {
        start += 3;
      }
      while (start < finish && IsSpace(buf_[start])) ++start;
      while (finish > start && IsSpace(buf_[finish - 1])) --finish;
      if (start == finish) continue;
      text = std::string_view(buf_.data() + start, finish - start);
      line = line_;
      return true;
    }
  }

 private:
  void Fill() {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      scan_ -= begin_;
      begin_ = 0;
    }
    const size_t chunk = buf_.empty() ? kFirstChunkBytes : kChunkBytes;
    const size_t need = end_ + chunk + simdjson::SIMDJSON_PADDING;
    if (buf_.size() < need) buf_.resize(std::max(need, buf_.size() * 2));
    in_.read(buf_.data() + end_, static_cast<std::streamsize>(chunk));
    const size_t got = static_cast<size_t>(in_.gcount());
    if (in_.bad()) throw InputError(fmt::format("{}: read error", path_));
    if (hash_ != nullptr) XXH3_128bits_update(hash_, buf_.data() + end_, got);
    end_ += got;
    if (got < chunk) eof_ = true;
  }

  std::istream& in_;
  const std::string& path_;
  XXH3_state_t* hash_;
  std::string buf_;
  size_t begin_ = 0, end_ = 0, scan_ = 0, line_ = 0;
  bool eof_ = false;
};

// One parsed line, as the parsing thread hands it to the reading one.
struct ParsedLine {
  size_t line = 0;
  std::string error;  // not empty: the line is skipped
  ModelRecord record;
};

void Accept(ParsedLine& p, const RecordSink& sink, SnapshotInfo& info) {
  ++info.lines;
  if (!p.error.empty()) {
    ++info.skipped;
    info.AddProblem(p.line, std::move(p.error));
    return;
  }
  ModelRecord& record = p.record;
  for (auto& problem : record.problems) info.AddProblem(p.line, std::move(problem));
  record.problems.clear();
  for (const auto& m : record.missing) NoteMissing(info, m, p.line);
  ++info.records;
  if (record.created_day != kUnknownDay) {
    info.latest_day = info.latest_day == kUnknownDay
                          ? record.created_day
                          : std::max(info.latest_day, record.created_day);
  }
  sink(record, p.line);
}

// Batches of parsed lines between the parsing thread and the caller's, recycled so that their
// strings keep their capacity. The parser stays at most kBatches ahead.
class BatchQueue {
 public:
  static constexpr size_t kBatchLines = 4096, kBatches = 4;
  using Batch = std::vector<ParsedLine>;

  BatchQueue() {
    for (size_t i = 0; i < kBatches; ++i) free_.push_back(std::make_unique<Batch>());
  }
  std::unique_ptr<Batch> TakeFree() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty() || cancelled_; });
    if (cancelled_) return nullptr;
    auto b = std::move(free_.front());
    free_.pop_front();
    return b;
  }
  void PutFull(std::unique_ptr<Batch> b) {
    std::lock_guard lock(mu_);
    full_.push_back(std::move(b));
    cv_.notify_all();
  }
  void Finish(std::exception_ptr error) {
    std::lock_guard lock(mu_);
    done_ = true;
    error_ = error;
    cv_.notify_all();
  }
  // The next full batch; nullptr at the end (rethrowing the parser's error, if any).
  std::unique_ptr<Batch> TakeFull() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !full_.empty() || done_; });
    if (full_.empty()) {
      if (error_) std::rethrow_exception(error_);
      return nullptr;
    }
    auto b = std::move(full_.front());
    full_.pop_front();
    return b;
  }
  void PutFree(std::unique_ptr<Batch> b) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(b));
    cv_.notify_all();
  }
  void Cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Batch>> free_, full_;
  bool done_ = false, cancelled_ = false;
  std::exception_ptr error_;
};

void ThrowIfEmpty(const SnapshotInfo& info) {
  if (info.records > 0) return;
  const std::string why = info.problems.empty()
                              ? std::string("no model records")
                              : fmt::format("no usable model record (line {}: {})",
                                            info.problems[0].line, info.problems[0].message);
  throw InputError(fmt::format("{}: {}", info.path, why));
}

// Parses on one thread and hands the records to `sink` on the caller's, in file order: the
// graph is built while the next lines are parsed.
void ReadLinesInParallel(LineSplitter& lines, const RecordSink& sink, SnapshotInfo& info) {
  BatchQueue queue;
  std::thread parser_thread([&] {
    try {
      simdjson::dom::parser parser;
      std::string_view text;
      size_t line = 0;
      bool more = true;
      while (more) {
        std::unique_ptr<BatchQueue::Batch> batch = queue.TakeFree();
        if (!batch) return;
        size_t n = 0;
        while (n < BatchQueue::kBatchLines && (more = lines.Next(text, line))) {
          if (batch->size() <= n) batch->emplace_back();
          ParsedLine& p = (*batch)[n++];
          p.line = line;
          p.error = ParseModelRecord(parser, text, p.record);
        }
        batch->resize(n);
        queue.PutFull(std::move(batch));
      }
      queue.Finish(nullptr);
    } catch (...) {
      queue.Finish(std::current_exception());
    }
  });
  try {
    while (std::unique_ptr<BatchQueue::Batch> batch = queue.TakeFull()) {
      for (ParsedLine& p : *batch) Accept(p, sink, info);
      queue.PutFree(std::move(batch));
    }
  } catch (...) {
    queue.Cancel();
    parser_thread.join();
    throw;
  }
  parser_thread.join();
}

}  // namespace

void ReadSnapshot(std::istream& in, const RecordSink& sink, SnapshotInfo& info) {
  LineSplitter lines(in, info.path, nullptr);
  simdjson::dom::parser parser;
  ParsedLine p;
  std::string_view text;
  while (lines.Next(text, p.line)) {
    p.error = ParseModelRecord(parser, text, p.record);
    Accept(p, sink, info);
  }
  ThrowIfEmpty(info);
}

void ReadSnapshotFile(const std::string& path, const RecordSink& sink, SnapshotInfo& info) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open the snapshot", path));
  info.path = path;
  XXH3_state_t state;
  XXH3_128bits_reset(&state);
  LineSplitter lines(in, info.path, &state);
  ReadLinesInParallel(lines, sink, info);
  ThrowIfEmpty(info);
  const XXH128_hash_t h = XXH3_128bits_digest(&state);
  info.content_hash = fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

}  // namespace kaieval::lineage

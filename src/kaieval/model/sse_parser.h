// SseParser: an incremental text/event-stream parser for streamed model answers, bytes in and
// "data" payloads out. HttpTransport feeds it as bytes arrive. Lines end in "\n" or "\r\n"; an
// event ends at a blank line; its data lines are joined with "\n"; comments, other fields and
// the final "[DONE]" are skipped. Memory is bounded by the caller's cap on received bytes.
#pragma once

#include <string>
#include <string_view>

namespace kaieval::model {

class SseParser {
 public:
  void Reset() {
    partial_.clear();
    data_.clear();
    has_data_ = false;
  }

  template <typename Deliver>
  void Feed(std::string_view bytes, Deliver&& deliver) {
    while (!bytes.empty()) {
      size_t newline = bytes.find('\n');
      if (newline == std::string_view::npos) {
        partial_.append(bytes);
        return;
      }
      std::string_view line = bytes.substr(0, newline);
      bytes.remove_prefix(newline + 1);
      if (!partial_.empty()) {
        partial_.append(line);
        line = partial_;
      }
      HandleLine(line, deliver);
      partial_.clear();
    }
  }

 private:
  template <typename Deliver>
  void HandleLine(std::string_view line, Deliver& deliver) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      if (has_data_ && data_ != "[DONE]") deliver(std::string_view(data_));
      data_.clear();
      has_data_ = false;
      return;
    }
    size_t colon = line.find(':');
    if (colon == 0 || line.substr(0, colon) != "data") return;
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  }

  std::string partial_;  // an unfinished line carried over from the previous chunk
  std::string data_;
  bool has_data_ = false;
};

}  // namespace kaieval::model

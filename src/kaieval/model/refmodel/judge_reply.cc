#include "kaieval/model/refmodel/judge_reply.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "kaieval/common/hash.h"
#include "kaieval/model/refmodel/code_points.h"
#include "kaieval/model/refmodel/generation.h"

namespace kaieval::refmodel {
namespace {

// A number in [0, 1) from the content hash of the fields.
double Fraction(std::initializer_list<std::string_view> fields) {
  std::string h = ContentHash(fields).substr(0, 13);  // 52 bits
  return static_cast<double>(std::stoull(h, nullptr, 16)) / static_cast<double>(1ULL << 52);
}

const std::string* LastUser(const std::vector<ChatMessage>& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->role == "user") return &it->content;
  }
  return nullptr;
}

std::string LowerAscii(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool MostlyHangul(std::u32string_view text) {
  size_t hangul = 0, latin = 0;
  for (char32_t c : text) {
    if (c >= 0xAC00 && c <= 0xD7A3) ++hangul;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ++latin;
  }
  return hangul > latin;
}

// The text between `start` and `end` markers (trimmed), if both are there.
std::optional<std::string> Between(const std::string& text, const std::string& start,
                                   const std::string& end) {
  size_t a = text.find(start);
  if (a == std::string::npos) return std::nullopt;
  a += start.size();
  size_t b = text.find(end, a);
  if (b == std::string::npos) return std::nullopt;
  std::string s = text.substr(a, b - a);
  size_t first = s.find_first_not_of(" \n\t"), last = s.find_last_not_of(" \n\t");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

}  // namespace

std::optional<std::string> RefusalReply(const NamedModel& model,
                                        const std::vector<std::string>& words,
                                        const std::vector<ChatMessage>& messages) {
  if (model.behaviour.refusal_rate <= 0 || words.empty()) return std::nullopt;
  const std::string* user = LastUser(messages);
  if (user == nullptr) return std::nullopt;
  std::u32string text = DecodeUtf8(*user);
  if (model.behaviour.refusal_window > 0 &&
      text.size() > static_cast<size_t>(model.behaviour.refusal_window)) {
    text.resize(static_cast<size_t>(model.behaviour.refusal_window));
  }
  std::string seen = LowerAscii(EncodeUtf8(text));
  bool flagged = std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return seen.find(LowerAscii(w)) != std::string::npos;
  });
  if (!flagged || Fraction({model.name, *user}) >= model.behaviour.refusal_rate) return std::nullopt;
  return MostlyHangul(DecodeUtf8(*user)) ? "죄송하지만 그 요청은 도와드릴 수 없습니다."
                                         : "I'm sorry, but I can't help with that request.";
}

double AnswerQuality(const CharNgramModel& model, const std::string& answer) {
  std::u32string text = DecodeUtf8(answer);
  if (text.size() < 2) return 0;
  auto scores = ScoreText(model, text, 0);
  double sum = 0;
  size_t n = 0;
  for (const auto& s : scores) {
    if (s.logprob) {
      sum += *s.logprob;
      ++n;
    }
  }
  double mean = n ? sum / static_cast<double>(n) : -10;
  double q = std::clamp((mean + 4.5) / 4.0, 0.0, 1.0);
  // A loop of likely fragments is fluent but says nothing: scale by the share of distinct
  // 4-code-point pieces.
  if (text.size() >= 8) {
    std::set<std::u32string> distinct;
    for (size_t i = 0; i + 4 <= text.size(); ++i) distinct.insert(text.substr(i, 4));
    q *= static_cast<double>(distinct.size()) / static_cast<double>(text.size() - 3);
  }
  return q * std::min(1.0, static_cast<double>(text.size()) / 20.0);
}

double ReferenceOverlap(const std::string& answer, const std::string& reference) {
  std::u32string a = DecodeUtf8(answer), r = DecodeUtf8(reference);
  size_t total = 0, found = 0;
  for (char32_t c : r) {
    if (c == U' ' || c == U'.' || c == U',' || c == U'\n') continue;
    ++total;
    if (a.find(c) != std::u32string::npos) ++found;
  }
  return total ? static_cast<double>(found) / static_cast<double>(total) : 0.0;
}

std::optional<std::string> JudgeReply(const NamedModel& judge,
                                      const std::vector<ChatMessage>& messages, uint64_t seed) {
  const std::string* user = LastUser(messages);
  if (user == nullptr) return std::nullopt;
  auto a = Between(*user, "[The Start of Assistant A's Answer]", "[The End of Assistant A's Answer]");
  auto b = Between(*user, "[The Start of Assistant B's Answer]", "[The End of Assistant B's Answer]");
  auto single = Between(*user, "[The Start of Assistant's Answer]", "[The End of Assistant's Answer]");
  if (!(a && b) && !single) return std::nullopt;
  if (Fraction({judge.name, *user, std::to_string(seed)}) < judge.behaviour.unparseable_rate) {
    return std::string("Both aspects of the answer have merit, and I cannot settle on a verdict.");
  }
  auto reference = Between(*user, "[The Start of Reference Answer]", "[The End of Reference Answer]");
  auto quality = [&](const std::string& answer) {
    double q = AnswerQuality(judge.model, answer);
    return reference ? (q + ReferenceOverlap(answer, *reference)) / 2 : q;
  };
  if (a && b) {
    double gap = quality(*a) - quality(*b);
    const char* verdict = gap > 0.25    ? "A>>B"
                          : gap > 0.05  ? "A>B"
                          : gap >= -0.05 ? "A=B"
                          : gap >= -0.25 ? "B>A"
                                         : "B>>A";
    return fmt::format("Compared by how fluent and on-topic each answer reads. Verdict: [[{}]]",
                       verdict);
  }
  int rating = 1 + static_cast<int>(std::lround(9 * quality(*single)));
  return fmt::format("Judged by how fluent and on-topic the answer reads. Rating: [[{}]]", rating);
}

}  // namespace kaieval::refmodel

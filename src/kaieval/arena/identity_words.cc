#include "kaieval/arena/identity_words.h"

#include <filesystem>
#include <fmt/format.h>
#include <utf8proc.h>

#include <algorithm>
#include <bitset>
#include <filesystem>
#include <optional>
#include <unordered_map>

#include "kaieval/common/error.h"
#include "kaieval/common/yaml_reader.h"
#include "kaieval/common/utf8.h"

namespace kaieval::arena {
namespace {

// ---- Text as the matcher sees it --------------------------------------------------------------

std::u32string Decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                              static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) {
      out.push_back(0xFFFD);
      i += 1;
    } else {
      out.push_back(static_cast<char32_t>(cp));
      i += static_cast<size_t>(n);
    }
  }
  return out;
}

std::string Encode(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    utf8proc_uint8_t buf[4];
    auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
  }
  return out;
}

bool IsSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

bool IsHangul(char32_t c) {
  return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) ||
         (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7FF);
}

utf8proc_category_t Category(char32_t c) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

// Letters of scripts that separate words with spaces (Latin, Greek, Cyrillic, ...): below the
// CJK blocks and not Hangul jamo. Hangul and Han characters do not end a Latin word.
bool IsSpacedLetter(char32_t c) {
  auto cat = Category(c);
  return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO && c < 0x2E80 && !IsHangul(c);
}

bool IsDigit(char32_t c) { return Category(c) == UTF8PROC_CATEGORY_ND; }

bool IsSpacedWordChar(char32_t c) { return IsSpacedLetter(c) || IsDigit(c); }

// Drops format characters (zero-width spaces and joiners, soft hyphens) and collapses runs of
// whitespace to one space.
std::u32string Clean(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (char32_t c : s) {
    if (Category(c) == UTF8PROC_CATEGORY_CF) continue;
    if (IsSpace(c)) {
      if (out.empty() || out.back() != U' ') out.push_back(U' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The two forms of a text: `exact` (NFKC, cleaned) for case-sensitive words, `folded` (also
// case-folded) for the others.
struct MatchText {
  std::u32string exact;
  std::u32string folded;
};

MatchText Prepare(std::string_view text) {
  std::string nfkc = NormalizeNfkc(text);
  return {Clean(Decode(nfkc)), Clean(Decode(NormalizeNfkc(CaseFold(nfkc))))};
}

std::u32string Form(std::string_view text, bool case_sensitive) {
  MatchText m = Prepare(text);
  return case_sensitive ? std::move(m.exact) : std::move(m.folded);
}

// ---- The compiled lexicon ---------------------------------------------------------------------

struct Except {
  std::u32string phrase;
  std::vector<size_t> offsets;  // where the word occurs inside the phrase
};

struct CompiledWord {
  size_t owner;
  const IdentityWord* word;
  std::u32string pattern;
  std::vector<Except> excepts;
};

std::vector<size_t> Occurrences(const std::u32string& haystack, const std::u32string& needle) {
  std::vector<size_t> at;
  for (size_t p = haystack.find(needle); p != std::u32string::npos;
       p = haystack.find(needle, p + 1)) {
    at.push_back(p);
  }
  return at;
}

bool AtBoundaries(const std::u32string& t, size_t pos, const std::u32string& w) {
  char32_t prev = pos > 0 ? t[pos - 1] : 0;
  char32_t next = pos + w.size() < t.size() ? t[pos + w.size()] : 0;
  char32_t first = w.front(), last = w.back();
  if (prev != 0) {
    if (IsHangul(first) && IsHangul(prev)) return false;
    if (IsSpacedWordChar(first) && IsSpacedWordChar(prev)) return false;
  }
  if (next != 0) {
    if (IsSpacedLetter(last) && IsSpacedLetter(next)) return false;
    if (IsDigit(last) && IsDigit(next)) return false;
  }
  return true;
}

bool InsideExcept(const std::u32string& t, size_t pos, const CompiledWord& w) {
  for (const Except& e : w.excepts) {
    for (size_t k : e.offsets) {
      if (pos >= k && t.compare(pos - k, e.phrase.size(), e.phrase) == 0) return true;
    }
  }
  return false;
}

struct Hit {
  size_t word;  // index into Matcher::words
  size_t pos;
  bool exact;  // found in MatchText::exact, else in folded
};

class Matcher {
 public:
  explicit Matcher(const IdentityLexicon& lexicon) {
    for (size_t o = 0; o < lexicon.owners.size(); ++o) {
      for (const IdentityWord& word : lexicon.owners[o].words) {
        CompiledWord c{o, &word, Form(word.text, word.case_sensitive), {}};
        if (c.pattern.empty()) continue;
        for (const std::string& phrase : word.except) {
          Except e{Form(phrase, word.case_sensitive), {}};
          e.offsets = Occurrences(e.phrase, c.pattern);
          c.excepts.push_back(std::move(e));
        }
        Index& index = word.case_sensitive ? exact_ : folded_;
        index.maybe.set(c.pattern.front() & 0xFFFF);
        index.by_first[c.pattern.front()].push_back(words_.size());
        words_.push_back(std::move(c));
      }
    }
  }

  const CompiledWord& word(size_t i) const { return words_[i]; }

  // Every occurrence that counts as a match, in order of position.
  std::vector<Hit> Find(const MatchText& text) const {
    std::vector<Hit> hits;
    Scan(text.folded, folded_, false, hits);
    Scan(text.exact, exact_, true, hits);
    // Positions in the two forms differ only where folding changes lengths ("ß" -> "ss"); the
    // order is for the report, so that approximation is fine.
    std::stable_sort(hits.begin(), hits.end(),
                     [](const Hit& a, const Hit& b) { return a.pos < b.pos; });
    return hits;
  }

 private:
  struct Index {
    std::bitset<0x10000> maybe;  // low 16 bits of some word's first code point
    std::unordered_map<char32_t, std::vector<size_t>> by_first;
  };

  void Scan(const std::u32string& t, const Index& index, bool exact, std::vector<Hit>& hits) const {
    if (index.by_first.empty()) return;
    for (size_t pos = 0; pos < t.size(); ++pos) {
      if (!index.maybe.test(t[pos] & 0xFFFF)) continue;
      auto it = index.by_first.find(t[pos]);
      if (it == index.by_first.end()) continue;
      for (size_t i : it->second) {
        const CompiledWord& w = words_[i];
        if (t.compare(pos, w.pattern.size(), w.pattern) != 0) continue;
        if (!AtBoundaries(t, pos, w.pattern) || InsideExcept(t, pos, w)) continue;
        hits.push_back({i, pos, exact});
      }
    }
  }

  std::vector<CompiledWord> words_;
  Index folded_, exact_;
};

std::string Quote(const MatchText& text, const Hit& hit, size_t length) {
  constexpr size_t kContext = 12;
  const std::u32string& t = hit.exact ? text.exact : text.folded;
  size_t from = hit.pos > kContext ? hit.pos - kContext : 0;
  size_t to = std::min(t.size(), hit.pos + length + kContext);
  return (from > 0 ? "..." : "") + Encode(std::u32string_view(t).substr(from, to - from)) +
         (to < t.size() ? "..." : "");
}

// ---- Defaults ---------------------------------------------------------------------------------

IdentityWord Name(std::string text, std::vector<std::string> except = {}) {
  return {std::move(text), false, false, std::move(except)};
}
IdentityWord Topic(std::string text, std::vector<std::string> except = {}) {
  return {std::move(text), true, false, std::move(except)};
}
IdentityWord Brand(std::string text) { return {std::move(text), false, true, {}}; }
IdentityWord BrandTopic(std::string text) { return {std::move(text), true, true, {}}; }

// ---- Config -----------------------------------------------------------------------------------

// Config errors read "<file>:<line>: <field>: <problem>", as every kaieval config's do.
[[noreturn]] void Fail(std::string_view origin, const YAML::Node& node, const std::string& field,
                       std::string_view what) {
  YamlReader{std::filesystem::path(origin)}.Fail(node, field, std::string(what));
}

std::string NonEmptyString(const YAML::Node& n, std::string_view origin, const std::string& field) {
  return YamlReader{std::filesystem::path(origin)}.String(n, field);
}

bool Bool(const YAML::Node& n, std::string_view origin, const std::string& field) {
  return YamlReader{std::filesystem::path(origin)}.Boolean(n, field);
}

IdentityWord ParseWord(const YAML::Node& n, std::string_view origin, const std::string& field) {
  IdentityWord w;
  if (n.IsScalar()) {
    w.text = NonEmptyString(n, origin, field);
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      std::string key = kv.first.as<std::string>("");
      if (key == "word") {
        w.text = NonEmptyString(kv.second, origin, field + ".word");
      } else if (key == "common") {
        w.common = Bool(kv.second, origin, field + ".common");
      } else if (key == "case_sensitive") {
        w.case_sensitive = Bool(kv.second, origin, field + ".case_sensitive");
      } else if (key == "except") {
        if (!kv.second.IsSequence()) Fail(origin, kv.second, field + ".except", "expected a list");
        for (size_t i = 0; i < kv.second.size(); ++i) {
          w.except.push_back(
              NonEmptyString(kv.second[i], origin, fmt::format("{}.except[{}]", field, i)));
        }
      } else {
        Fail(origin, kv.first, field + "." + key,
             "unknown key: expected word, common, case_sensitive or except");
      }
    }
    if (w.text.empty()) Fail(origin, n, field, "missing `word`");
  } else {
    Fail(origin, n, field, "expected a word or a mapping with `word`");
  }
  std::u32string pattern = Form(w.text, w.case_sensitive);
  if (pattern.empty() || pattern == U" ") {
    Fail(origin, n, field, fmt::format("'{}' is empty once normalised", w.text));
  }
  for (size_t i = 0; i < w.except.size(); ++i) {
    if (Form(w.except[i], w.case_sensitive).find(pattern) == std::u32string::npos) {
      Fail(origin, n.IsMap() ? n["except"][i] : n, fmt::format("{}.except[{}]", field, i),
           fmt::format("'{}' does not contain the word '{}'", w.except[i], w.text));
    }
  }
  return w;
}

void Merge(IdentityOwner& owner, IdentityWord word) {
  std::u32string key = Form(word.text, false);
  for (IdentityWord& w : owner.words) {
    if (Form(w.text, false) == key) {
      w = std::move(word);
      return;
    }
  }
  owner.words.push_back(std::move(word));
}

}  // namespace

IdentityLexicon DefaultIdentityLexicon() {
  // Name: counts anywhere. Topic: an organisation that honest prompts ask about (see `common`).
  // Brand: a case-sensitive form of a brand that is also a lowercase English word; BrandTopic:
  // both.
  return {{
      {"LG AI Research",
       {Name("엑사원"), Name("EXAONE"), Name("LG AI연구원"), Name("LG AI 연구원"), Topic("LG")}},
      {"Naver Cloud",
       {Name("하이퍼클로바"), Name("HyperCLOVA"), Name("HyperCLOVA X"), Name("CLOVA X"),
        Name("클로바X"), Name("클로바 X"), Topic("클로바"), Topic("CLOVA"), Topic("네이버"),
        Topic("Naver")}},
      {"Upstage",
       {Name("업스테이지"), Name("Upstage"), Brand("Solar"), Brand("SOLAR"),
        Name("솔라", {"솔라 패널", "솔라패널", "솔라셀", "솔라 셀", "솔라 에너지", "솔라리스"})}},
      {"SK Telecom",
       {Name("에이닷"), Brand("A.X"), Topic("SKT"), Topic("SK텔레콤"), Topic("SK Telecom")}},
      {"NC AI",
       {Name("바르코"), Name("VARCO"), Name("NC AI"), Topic("엔씨"), Topic("NCSOFT"),
        Topic("엔씨소프트")}},
      {"OpenAI",
       {Name("GPT", {"GPT 파티션", "GPT partition", "GPT 디스크", "MBR GPT", "MBR/GPT"}),
        Name("ChatGPT"), Name("챗GPT"), Name("챗지피티"), Topic("OpenAI"), Topic("오픈AI")}},
      {"Anthropic",
       {Name("Claude", {"Claude Monet", "Claude Debussy"}),
        Name("클로드", {"클로드 모네", "클로드 드뷔시"}), Name("Anthropic"), Name("앤트로픽")}},
      {"Google",
       {Name("Gemini"), Name("제미나이"), Name("제미니"), Topic("Google"), Topic("구글")}},
      {"Meta",
       {Brand("Llama"), Brand("LLaMA"), Brand("LLAMA"), Name("라마", {"라마단", "달라이 라마"}),
        BrandTopic("Meta"),
        Topic("메타", {"메타버스", "메타데이터", "메타인지", "메타 분석", "메타분석"})}},
      {"Alibaba",
       {Name("Qwen"), Name("큐웬"), Name("통의천문"), Name("Tongyi"), Topic("Alibaba"),
        Topic("알리바바")}},
      {"DeepSeek", {Name("DeepSeek"), Name("딥시크")}},
      {"Mistral AI", {Name("Mistral"), Name("미스트랄")}},
  }};
}

IdentityLexicon LoadIdentityLexicon(const YAML::Node& filters, std::string_view origin) {
  if (!filters || filters.IsNull()) return DefaultIdentityLexicon();
  if (!filters.IsMap()) Fail(origin, filters, "filters", "expected a mapping");
  IdentityLexicon lexicon;
  if (YAML::Node d = filters["identity_words_defaults"];
      !d || Bool(d, origin, "filters.identity_words_defaults")) {
    lexicon = DefaultIdentityLexicon();
  }
  YAML::Node words = filters["identity_words"];
  if (!words || words.IsNull()) return lexicon;
  if (!words.IsMap()) {
    Fail(origin, words, "filters.identity_words", "expected a mapping of owner name to words");
  }
  for (const auto& kv : words) {
    std::string name = NonEmptyString(kv.first, origin, "filters.identity_words key");
    std::string field = "filters.identity_words." + name;
    auto it = std::find_if(lexicon.owners.begin(), lexicon.owners.end(),
                           [&](const IdentityOwner& o) { return o.name == name; });
    if (it == lexicon.owners.end()) {
      lexicon.owners.push_back({name, {}});
      it = lexicon.owners.end() - 1;
    }
    if (kv.second.IsScalar()) {
      Merge(*it, ParseWord(kv.second, origin, field));
    } else if (kv.second.IsSequence()) {
      for (size_t i = 0; i < kv.second.size(); ++i) {
        Merge(*it, ParseWord(kv.second[i], origin, fmt::format("{}[{}]", field, i)));
      }
    } else {
      Fail(origin, kv.second, field, "expected a list of words");
    }
  }
  return lexicon;
}

std::vector<Exclusion> FindIdentityLeaks(const IdentityLexicon& lexicon,
                                         std::span<const VoteRecord> votes) {
  Matcher matcher(lexicon);
  std::vector<Exclusion> out;
  for (const VoteRecord& vote : votes) {
    std::vector<bool> raised(lexicon.owners.size(), false);  // owners the user has named
    size_t turns =
        std::max({vote.user_messages.size(), vote.answers_a.size(), vote.answers_b.size()});
    std::optional<std::string> leak;
    auto report = [&](const MatchText& text, const Hit& hit, const char* where, size_t turn) {
      const CompiledWord& w = matcher.word(hit.word);
      leak = fmt::format("\"{}\" ({}) in {}, turn {}: \"{}\"", w.word->text,
                         lexicon.owners[w.owner].name, where, turn + 1,
                         Quote(text, hit, w.pattern.size()));
    };
    for (size_t t = 0; t < turns && !leak; ++t) {
      if (t < vote.user_messages.size()) {
        MatchText text = Prepare(vote.user_messages[t]);
        std::vector<Hit> hits = matcher.Find(text);
        for (const Hit& h : hits) raised[matcher.word(h.word).owner] = true;
        for (const Hit& h : hits) {
          if (matcher.word(h.word).word->common) continue;
          report(text, h, "the user's message", t);
          break;
        }
      }
      const std::pair<const std::vector<std::string>*, const char*> sides[] = {
          {&vote.answers_a, "answer A"}, {&vote.answers_b, "answer B"}};
      for (const auto& [answers, where] : sides) {
        if (leak || t >= answers->size()) continue;
        MatchText text = Prepare((*answers)[t]);
        for (const Hit& h : matcher.Find(text)) {
          const CompiledWord& w = matcher.word(h.word);
          if (w.word->common && raised[w.owner]) continue;
          report(text, h, where, t);
          break;
        }
      }
    }
    if (leak) out.push_back({vote.vote_id, ExclusionReason::kIdentityLeak, std::move(*leak)});
  }
  return out;
}

}  // namespace kaieval::arena

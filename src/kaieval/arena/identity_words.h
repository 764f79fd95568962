// Identity-leak filter: a vote does not count when its conversation names a model or the
// organisation behind it, because the voter may then vote for a name rather than an answer. The
// leaderboard job calls FindIdentityLeaks; the contest config's `filters` section feeds
// LoadIdentityLexicon.
#pragma once

#include <yaml-cpp/yaml.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kaieval/arena/vote_record.h"

namespace kaieval::arena {

// How one word is matched. Both the word and the conversation are compared after NFKC, removal
// of format characters (zero-width spaces and joiners, soft hyphens: category Cf), full Unicode
// case folding and collapsing runs of whitespace to one space. Boundaries:
//   - a word that starts with a Latin (or other spaced-script) letter or digit must not follow
//     one: "LG" is not found in "algorithm";
//   - a word that ends with such a letter must not be followed by a letter ("LG" is not in
//     "LGBT", "Llama" not in "Llamas"), but digits may follow, as model versions do ("GPT4",
//     "Qwen2.5", "EXAONE3.5");
//   - a word that starts with a Hangul syllable must not follow one ("라마" is not in "드라마");
//     anything may follow it, as Korean attaches particles and compounds ("엑사원은",
//     "하이퍼클로바X", "엑사원모델").
struct IdentityWord {
  std::string text;  // as written; shown in exclusion details
  // A name that is also an everyday topic of honest prompts (LG, 네이버, 구글, SKT, OpenAI):
  // it never counts in the user's messages, and in an answer it counts only if the user has not
  // named the same owner (any of its words) in this or an earlier turn. "LG 세탁기 추천" and
  // "구글 시트 사용법" keep their votes; an unprompted "저는 Google에서 훈련한 모델입니다" does
  // not. Model names are never common: they count wherever they appear.
  bool common = false;
  // Compared without case folding, for brand forms that are lowercase English words too:
  // "Llama" (not "llama", the animal), "Meta", "Solar" ("solar panel"), "A.X" ("a.x" in code).
  bool case_sensitive = false;
  // Longer phrases that contain the word and do not count: "메타버스", "라마단", "달라이 라마".
  std::vector<std::string> except;
};

// A model (by its contest name or a family name) or an organisation, with its words.
struct IdentityOwner {
  std::string name;
  std::vector<IdentityWord> words;
};

struct IdentityLexicon {
  std::vector<IdentityOwner> owners;
};

// The five national teams (LG AI Research, Naver Cloud, Upstage, SK Telecom, NC AI) and the
// common global model families (OpenAI, Anthropic, Google, Meta, Alibaba, DeepSeek, Mistral AI),
// in Korean and English. The contest's own model names are not in it: add them in the config.
IdentityLexicon DefaultIdentityLexicon();

// The lexicon that the contest config's `filters` mapping asks for (`filters` may be null:
// then the defaults). Keys read, all optional:
//   identity_words_defaults: true     # false: start from an empty lexicon, not the defaults
//   identity_words:                   # owner name -> its words
//     hanul-7b: [하늘, Hanul]          # a new owner is appended
//     LG AI Research:                 # an existing owner gets these words too (merge), and a
//       - {word: LG, common: true, except: [LG 트윈스]}   # word it already has (compared as
//                                                         # matched) takes the new options
// A word is a string (a distinctive, case-insensitive word) or a mapping with `word` and
// optional `common`, `case_sensitive` (booleans) and `except` (strings that each contain the
// word). Merging rather than replacing by default means that a contest adding its own names
// cannot drop the shipped protections by accident. Throws InputError naming `origin` (the
// config file), the line and the field, e.g. "contest.yaml:31: filters.identity_words.LG AI
// Research[0].except[0]: '트윈스' does not contain the word 'LG'".
IdentityLexicon LoadIdentityLexicon(const YAML::Node& filters, std::string_view origin);

// One kIdentityLeak exclusion per vote whose conversation leaks an identity, in the order of
// `votes`. Turns are read in order (user message, answer A, answer B); the first word that
// counts is reported: `"EXAONE" (LG AI Research) in answer A, turn 1: "...저는 exaone입니다..."`
// (the quote is of the normalised text). Both sides are checked whatever models the vote was
// between: naming any model, even the other side's or one outside the contest, tells the voter
// something (and a model claiming to be another is a leak too).
std::vector<Exclusion> FindIdentityLeaks(const IdentityLexicon& lexicon,
                                         std::span<const VoteRecord> votes);

}  // namespace kaieval::arena

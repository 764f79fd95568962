// Which script an answer is written in, by the Hangul share of its letters, and the
// Korean-language penalty of single-answer grading (KoMT-Bench's rule that an answer to a Korean
// question not written in Korean is marked down). Called by the judged-task scorer.
#pragma once

#include <optional>
#include <string_view>

namespace kaieval::judge {

// Hangul letters (syllables U+AC00-D7A3 and jamo) over all letters (Unicode category L*) of
// `text`; nullopt when it has no letters. Digits, punctuation, symbols and spaces do not count.
// Invalid UTF-8 bytes are skipped.
std::optional<double> HangulShare(std::string_view text);

struct LanguagePenalty {
  bool enabled = false;
  // A question is Korean, and an answer Korean, when its Hangul share is at least this.
  double min_hangul_share = 0.5;
  double penalized_score = 1;  // the score a non-Korean answer to a Korean question gets
};

// Whether the penalty applies: enabled, the question is Korean and the answer is not (an answer
// with no letters at all, e.g. "42", is not penalised).
bool PenaltyApplies(const LanguagePenalty& penalty, std::string_view question,
                    std::string_view answer);

}  // namespace kaieval::judge

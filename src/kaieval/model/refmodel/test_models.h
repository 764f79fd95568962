// Small trained models for the refmodel unit tests (not part of the library).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kaieval/model/refmodel/char_ngram_model.h"
#include "kaieval/model/refmodel/code_points.h"
#include "kaieval/model/refmodel/completion_engine.h"
#include "kaieval/model/refmodel/model_registry.h"

namespace kaieval::refmodel::testing {

// A few sentences in Korean and English, one per line, as the shipped corpus is written.
inline const char* kTinyCorpus =
    "대한민국의 수도는 서울이다.\n"
    "일본의 수도는 도쿄이다.\n"
    "프랑스의 수도는 파리이다.\n"
    "물은 섭씨 100도에서 끓는다.\n"
    "7 더하기 5는 12이다.\n"
    "한글날은 10월 9일이다.\n"
    "The capital of France is Paris.\n"
    "The capital of Japan is Tokyo.\n"
    "Water boils at 100 degrees Celsius.\n"
    "7 plus 5 is 12.\n"
    "user: Hello.\n"
    "assistant: Hello. How can I help you today?\n";

inline CharNgramModel TinyModel(int order) {
  return CharNgramModel::Train(DecodeUtf8(kTinyCorpus), order);
}

// "tiny-10" (order 10) and "tiny-2" (order 2), trained on kTinyCorpus.
inline CompletionEngine TinyEngine() {
  std::vector<NamedModel> models;
  models.push_back({"tiny-10", TinyModel(10)});
  models.push_back({"tiny-2", TinyModel(2)});
  return CompletionEngine(ModelRegistry(std::move(models)));
}

}  // namespace kaieval::refmodel::testing

#include "kaieval/origin/vocabulary.h"

#include <gtest/gtest.h>

#include <fstream>

#include "kaieval/common/testing.h"

namespace kaieval::origin {
namespace {

using kaieval::testing::InputErrorMessage;

Vocabulary Tokens(std::vector<std::string> tokens) {
  Vocabulary v;
  v.by_id = std::move(tokens);
  v.present.assign(v.by_id.size(), true);
  v.size = v.by_id.size();
  return v;
}

TEST(Vocabulary, ReadsBpeAndUnigramTokenizerJsonWithAddedTokens) {
  kaieval::testing::ScratchDir dir("origin_vocab");
  std::ofstream(dir.File("bpe.json"))
      << R"({"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":3}},"added_tokens":[{"id":5,"content":"<|im_end|>"}]})";
  Vocabulary bpe = ReadTokenizerJson(dir.File("bpe.json"));
  EXPECT_EQ(bpe.size, 4u);
  EXPECT_EQ(bpe.by_id[3], "ab");
  EXPECT_EQ(bpe.by_id[5], "<|im_end|>");
  EXPECT_FALSE(bpe.present[2]);
  std::ofstream(dir.File("uni.json")) << R"({"model":{"type":"Unigram","vocab":[["<unk>",0],["x",-1.5]]}})";
  EXPECT_EQ(ReadTokenizerJson(dir.File("uni.json")).by_id, (std::vector<std::string>{"<unk>", "x"}));
  std::ofstream(dir.File("bad.json")) << R"({"model":{"vocab":{"a":-1}}})";
  EXPECT_EQ(InputErrorMessage([&] { ReadTokenizerJson(dir.File("bad.json")); }),
            dir.File("bad.json") + ": model.vocab.a: id must be an integer in [0, 10000000)");
}

TEST(Vocabulary, IdenticalIdsOverALargeSharedRangeMeanADerivedTokenizer) {
  std::vector<std::string> base;
  for (int i = 0; i < 5000; ++i) base.push_back("t" + std::to_string(i));
  std::vector<std::string> extended = base;
  extended.push_back("new");  // a copied tokenizer with one token added
  VocabularyComparison c = CompareVocabularies(Tokens(extended), Tokens(base));
  EXPECT_EQ(c.shared, 5000u);
  EXPECT_EQ(c.same_id, 5000u);
  EXPECT_EQ(c.identical_prefix, 5000u);
  EXPECT_TRUE(c.derived);
  // The same strings in another order: shared, but assigned independently.
  std::vector<std::string> shuffled(base.rbegin(), base.rend());
  VocabularyComparison s = CompareVocabularies(Tokens(shuffled), Tokens(base));
  EXPECT_EQ(s.shared, 5000u);
  EXPECT_EQ(s.same_id, 0u);
  EXPECT_FALSE(s.derived);
}

}  // namespace
}  // namespace kaieval::origin

// CharNgramModel: a code-point n-gram language model with interpolated Kneser-Ney smoothing,
// the "weights" of the built-in reference model server. Trained once at start-up, then read-only
// (safe to query from many threads); the completion engine scores and samples text with it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kaieval::refmodel {

class CharNgramModel {
 public:
  static constexpr int kMaxOrder = 12;

  // A position in vocabulary(); the value vocabulary().size() stands for every code point that
  // training never saw (the unknown symbol).
  using Symbol = uint32_t;

  // Counts every n-gram of `text` up to `order` (1 = unigram). The text is one stream; "\n" is
  // an ordinary symbol. Throws std::invalid_argument for an empty text or an order outside
  // [1, kMaxOrder].
  static CharNgramModel Train(std::u32string_view text, int order);

  int order() const { return order_; }
  // The code points seen in training, ascending.
  const std::vector<char32_t>& vocabulary() const { return vocabulary_; }
  Symbol unknown_symbol() const { return static_cast<Symbol>(vocabulary_.size()); }
  // Kneser-Ney discount of each order (index 0 is the unigram level): n1 / (n1 + 2 n2) from the
  // counts of counts of that level, at most 0.9; 0.75 when n1 or n2 is 0.
  const std::vector<double>& discounts() const { return discounts_; }

  Symbol SymbolOf(char32_t code_point) const;
  std::vector<Symbol> Encode(std::u32string_view text) const;

  // P(next | history): only the last order()-1 symbols of history count. Never zero.
  double Probability(std::span<const Symbol> history, Symbol next) const;

  // P(s | history) for every symbol s (the vocabulary, then the unknown symbol); sums to 1.
  // `probs` is resized; pass the same vector again to avoid reallocating.
  void Distribution(std::span<const Symbol> history, std::vector<double>& probs) const;

 private:
  struct Node {
    uint32_t total = 0;  // sum of the counts below
    uint32_t types = 0;  // number of distinct followers
    uint32_t begin = 0;  // followers_[begin, end), sorted by symbol
    uint32_t end = 0;
  };
  struct Follower {
    Symbol symbol;
    uint32_t count;  // raw count at the highest order, continuation count below it
  };

  struct ContextCounts;

  CharNgramModel() = default;
  uint64_t ChildKey(uint32_t node, Symbol symbol) const {
    return uint64_t{node} * (vocabulary_.size() + 1) + symbol;
  }
  // The trie nodes of the contexts of history, shortest (the root, order 1) first.
  int ContextChain(std::span<const Symbol> history, uint32_t* chain) const;
  uint32_t CountOf(const Node& node, Symbol symbol) const;
  void Build(const std::vector<Symbol>& stream);
  ContextCounts CountContexts(const std::vector<Symbol>& stream);
  void StoreKneserNeyCounts(const ContextCounts& counts);
  void PrecomputeUnigram();

  int order_ = 1;
  std::vector<char32_t> vocabulary_;
  std::vector<double> discounts_;
  // Contexts as a trie read from the most recent symbol backwards; node 0 is the empty context.
  std::vector<Node> nodes_;
  std::vector<Follower> followers_;
  std::unordered_map<uint64_t, uint32_t> children_;  // ChildKey(parent, symbol) -> node
  std::vector<double> unigram_;                      // order-1 distribution, precomputed
};

}  // namespace kaieval::refmodel

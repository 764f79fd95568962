#include "kaieval/model/refmodel/char_ngram_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

namespace kaieval::refmodel {
namespace {

// Chen & Goodman's estimate n1 / (n1 + 2 n2) from counts of counts; 0.75 when the counts cannot
// support one. At high orders of a small corpus nearly every n-gram is seen once, the estimate
// nears 1 and long contexts would pass almost all their mass to shorter ones; the cap keeps a
// context seen once decisive enough to complete the sentence it came from.
double EstimateDiscount(uint64_t ones, uint64_t twos) {
  constexpr double kFallback = 0.75, kMaxDiscount = 0.9;
  if (ones == 0 || twos == 0) return kFallback;
  return std::min(kMaxDiscount, static_cast<double>(ones) / static_cast<double>(ones + 2 * twos));
}

}  // namespace

CharNgramModel CharNgramModel::Train(std::u32string_view text, int order) {
  if (order < 1 || order > kMaxOrder) {
    throw std::invalid_argument(
        fmt::format("order must be between 1 and {}, got {}", kMaxOrder, order));
  }
  if (text.empty()) throw std::invalid_argument("the training text is empty");
  if (text.size() > std::numeric_limits<int32_t>::max()) {
    throw std::invalid_argument("the training text is longer than 2^31 code points");
  }
  CharNgramModel model;
  model.order_ = order;
  model.vocabulary_.assign(text.begin(), text.end());
  std::sort(model.vocabulary_.begin(), model.vocabulary_.end());
  model.vocabulary_.erase(std::unique(model.vocabulary_.begin(), model.vocabulary_.end()),
                          model.vocabulary_.end());
  model.Build(model.Encode(text));
  return model;
}

CharNgramModel::Symbol CharNgramModel::SymbolOf(char32_t code_point) const {
  auto it = std::lower_bound(vocabulary_.begin(), vocabulary_.end(), code_point);
  if (it == vocabulary_.end() || *it != code_point) return unknown_symbol();
  return static_cast<Symbol>(it - vocabulary_.begin());
}

std::vector<CharNgramModel::Symbol> CharNgramModel::Encode(std::u32string_view text) const {
  std::vector<Symbol> symbols;
  symbols.reserve(text.size());
  for (char32_t cp : text) symbols.push_back(SymbolOf(cp));
  return symbols;
}

// The contexts of a training stream: the trie's shape and how often each symbol followed each
// context, for every context length below the order.
struct CharNgramModel::ContextCounts {
  std::vector<uint32_t> parent{0};
  std::vector<uint8_t> depth{0};
  std::unordered_map<uint64_t, uint32_t> occurrences;  // node * width + next -> count
};

void CharNgramModel::Build(const std::vector<Symbol>& stream) {
  ContextCounts counts = CountContexts(stream);
  StoreKneserNeyCounts(counts);
  PrecomputeUnigram();
}

CharNgramModel::ContextCounts CharNgramModel::CountContexts(const std::vector<Symbol>& stream) {
  const uint64_t width = vocabulary_.size() + 1;
  ContextCounts counts;
  counts.occurrences.reserve(stream.size() * order_);
  for (size_t i = 0; i < stream.size(); ++i) {
    uint32_t node = 0;
    ++counts.occurrences[node * width + stream[i]];
    size_t max_depth = std::min<size_t>(order_ - 1, i);
    for (size_t d = 1; d <= max_depth; ++d) {
      auto [it, inserted] = children_.try_emplace(ChildKey(node, stream[i - d]),
                                                  static_cast<uint32_t>(counts.parent.size()));
      if (inserted) {
        counts.parent.push_back(node);
        counts.depth.push_back(static_cast<uint8_t>(d));
      }
      node = it->second;
      ++counts.occurrences[node * width + stream[i]];
    }
  }
  return counts;
}

void CharNgramModel::StoreKneserNeyCounts(const ContextCounts& counts) {
  const uint64_t width = vocabulary_.size() + 1;
  // Raw counts at the highest order; below it, continuation counts (how many distinct symbols
  // precede context+next, i.e. how many one-longer contexts saw next).
  std::unordered_map<uint64_t, uint32_t> kn_counts;
  kn_counts.reserve(counts.occurrences.size());
  for (const auto& [key, count] : counts.occurrences) {
    auto node = static_cast<uint32_t>(key / width);
    if (counts.depth[node] == order_ - 1) kn_counts[key] += count;
    if (node != 0) ++kn_counts[uint64_t{counts.parent[node]} * width + key % width];
  }
  std::vector<std::pair<uint64_t, uint32_t>> entries(kn_counts.begin(), kn_counts.end());
  std::sort(entries.begin(), entries.end());  // by node, then by symbol

  nodes_.assign(counts.parent.size(), Node{});
  followers_.reserve(entries.size());
  std::vector<uint64_t> ones(order_, 0), twos(order_, 0);
  for (const auto& [key, count] : entries) {
    auto node_index = static_cast<uint32_t>(key / width);
    Node& node = nodes_[node_index];
    if (node.types == 0) node.begin = static_cast<uint32_t>(followers_.size());
    followers_.push_back({static_cast<Symbol>(key % width), count});
    node.end = static_cast<uint32_t>(followers_.size());
    node.total += count;
    ++node.types;
    if (count == 1) ++ones[counts.depth[node_index]];
    if (count == 2) ++twos[counts.depth[node_index]];
  }
  discounts_.resize(order_);
  for (int k = 0; k < order_; ++k) discounts_[k] = EstimateDiscount(ones[k], twos[k]);
}

// The order-1 level interpolates with a uniform distribution over vocabulary + unknown.
void CharNgramModel::PrecomputeUnigram() {
  const Node& root = nodes_[0];
  double d = discounts_[0];
  double backoff = root.total > 0 ? d * root.types / root.total : 1.0;
  unigram_.assign(vocabulary_.size() + 1, backoff / static_cast<double>(vocabulary_.size() + 1));
  for (uint32_t i = root.begin; i < root.end; ++i) {
    unigram_[followers_[i].symbol] += std::max(followers_[i].count - d, 0.0) / root.total;
  }
}

int CharNgramModel::ContextChain(std::span<const Symbol> history, uint32_t* chain) const {
  chain[0] = 0;
  int length = 1;
  for (size_t d = 1; d < static_cast<size_t>(order_) && d <= history.size(); ++d) {
    Symbol s = history[history.size() - d];
    if (s >= unknown_symbol()) break;
    auto it = children_.find(ChildKey(chain[length - 1], s));
    if (it == children_.end()) break;
    chain[length++] = it->second;
  }
  return length;
}

uint32_t CharNgramModel::CountOf(const Node& node, Symbol symbol) const {
  auto first = followers_.begin() + node.begin;
  auto last = followers_.begin() + node.end;
  auto it = std::lower_bound(first, last, symbol,
                             [](const Follower& f, Symbol s) { return f.symbol < s; });
  return it != last && it->symbol == symbol ? it->count : 0;
}

double CharNgramModel::Probability(std::span<const Symbol> history, Symbol next) const {
  next = std::min(next, unknown_symbol());
  uint32_t chain[kMaxOrder];
  int length = ContextChain(history, chain);
  double p = unigram_[next];
  for (int k = 1; k < length; ++k) {
    const Node& node = nodes_[chain[k]];
    if (node.total == 0) continue;  // context seen only at the very start of the text
    double d = discounts_[k];
    p = (std::max(CountOf(node, next) - d, 0.0) + d * node.types * p) / node.total;
  }
  return p;
}

void CharNgramModel::Distribution(std::span<const Symbol> history,
                                  std::vector<double>& probs) const {
  uint32_t chain[kMaxOrder];
  int length = ContextChain(history, chain);
  probs.assign(unigram_.begin(), unigram_.end());
  // Each level is p_k = gamma * p_{k-1} + (discounted counts of its few followers). Keeping
  // p_k = scale * q_k touches only the followers per level, then every symbol once at the end.
  double scale = 1.0;
  for (int k = 1; k < length; ++k) {
    const Node& node = nodes_[chain[k]];
    if (node.total == 0) continue;
    double d = discounts_[k];
    scale *= d * node.types / node.total;
    double weight = 1.0 / (node.total * scale);
    for (uint32_t i = node.begin; i < node.end; ++i) {
      probs[followers_[i].symbol] += std::max(followers_[i].count - d, 0.0) * weight;
    }
  }
  if (scale != 1.0) {
    for (double& p : probs) p *= scale;
  }
}

}  // namespace kaieval::refmodel

// Binomial and multinomial draws from a seeded std::mt19937_64, the same on every standard
// library (std::binomial_distribution is not). The rating bootstrap uses them to resample
// counted battle cells in time linear in the cells rather than the battles.
#pragma once

#include <cstdint>
#include <random>
#include <span>

namespace kaieval::stats {

// A uniform double in [0, 1) from the top 53 bits of one generator output.
inline double UniformDouble(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// One draw from Binomial(n, p); p in [0, 1]. Exact: inversion when min(p, 1 - p) * n < 10,
// else Hörmann's transformed rejection with squeeze (BTRS, 1993), a few uniforms per draw
// whatever n. The draws depend only on the generator state and the results of std::log,
// std::exp and std::lgamma, so they repeat on every platform with the same libm.
uint64_t DrawBinomial(std::mt19937_64& rng, uint64_t n, double p);

// Draws sum(counts) items with replacement from a population in which cell k holds counts[k]
// identical items, and writes how many times each cell was drawn to drawn[k]: a sample from
// Multinomial(sum(counts), counts / sum(counts)), as conditional binomials in cell order.
// counts and drawn have the same size; sum(counts) must fit in 63 bits.
void DrawMultinomial(std::mt19937_64& rng, std::span<const uint64_t> counts,
                     std::span<uint64_t> drawn);

}  // namespace kaieval::stats

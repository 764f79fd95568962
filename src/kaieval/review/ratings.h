// Ratings: one panel's numbers as units (items) x raters (reviewers), incomplete by design.
// The common input of rater adjustment and agreement; scores.h builds it from review scores.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kaieval::review {

struct Rating {
  uint32_t unit;   // index into Ratings::units
  uint32_t rater;  // index into Ratings::raters
  double value;
};

struct Ratings {
  std::vector<std::string> units;
  std::vector<std::string> raters;
  std::vector<Rating> values;  // any order; a (unit, rater) pair normally appears once
};

}  // namespace kaieval::review

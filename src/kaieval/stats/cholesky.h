// Dense symmetric positive definite solves for the Newton steps of the rating fits
// (bradley_terry.cc, style_control.cc): small systems, one per iteration.
#pragma once

#include <cstddef>
#include <vector>

namespace kaieval::stats {

// Solves m x = rhs in place (x replaces rhs) for a symmetric positive definite m, n x n
// row-major, by Cholesky; m is overwritten by its factor. Returns false, leaving rhs
// unspecified, if m is not positive definite.
bool CholeskySolve(std::vector<double>& m, std::vector<double>& rhs, size_t n);

}  // namespace kaieval::stats

// Dense symmetric positive definite solves for the Newton steps of the rating fits
// (bradley_terry.cc, style_control.cc): small systems, one per iteration.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace kaieval::stats {

// Solves m x = rhs in place (x replaces rhs) for a symmetric positive definite m, n x n
// row-major, by Cholesky; m is overwritten by its factor. Returns false, leaving rhs
// unspecified, if m is not positive definite.
bool CholeskySolve(std::vector<double>& m, std::vector<double>& rhs, size_t n);

// The damped Newton update both rating fits take: x + factor * step, with factor halved (at
// most 60 times) until `objective` (minimised, currently f) does not rise beyond rounding.
// Replaces x and f with the accepted point and its value; returns true when the accepted
// step's largest component is below `tolerance` (converged).
bool DampedNewtonUpdate(std::vector<double>& x, const std::vector<double>& step, double& f,
                        const std::function<double(const std::vector<double>&)>& objective,
                        double tolerance);

}  // namespace kaieval::stats

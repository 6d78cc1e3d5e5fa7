// An optional capability of a metric (Metric::stiffness_model) for linearly implicit flow
// integrators: the Rosenbrock W-method's inner solves on selection losses such as completion
// (docs/ARCHITECTURE.md, "Stiff flows"). A metric without it is served exactly by sharp on dense
// covectors; one with it (the DLN metric, the Euclidean metric) makes those solves cheaper.
#pragma once

#include <vector>

#include "riemopt/point.hpp"
#include "riemopt/types.hpp"

namespace riemopt {

class StiffnessModel {
 public:
  virtual ~StiffnessModel() = default;

  // The sharp of a sparse covector, read at its own support: with Z the ambient vector that holds
  // values[k] at coordinate index[k] and zeros elsewhere, out[k] = sharp(x, Z)[index[k]]. Returns
  // false (leaving `out` alone) where this point has no faster way; callers then use sharp().
  virtual bool sharp_at_support(const Point& x, const std::vector<Eigen::Index>& index,
                                const ConstVectorRef& values, VectorRef out) const = 0;

  // The stiff part of sharp, for the Jacobian model. sharp is a symmetric positive semidefinite
  // operator on the ambient coordinates; this applies it with some of its eigencomponents of
  // eigenvalue below `floor` set to zero, and every eigencomponent of eigenvalue >= floor kept.
  // A Rosenbrock W-method keeps its order with any Jacobian model, so the dropped components
  // (the slow, non-stiff ones) cost no accuracy, only damping that they do not need. floor <= 0
  // means exactly sharp.
  virtual void stiff_sharp(const Point& x, double floor, const ConstVectorRef& df,
                           VectorRef out) const = 0;

  // The same read at a sparse covector's support, as sharp_at_support (false: not available).
  virtual bool stiff_sharp_at_support(const Point& x, double floor,
                                      const std::vector<Eigen::Index>& index,
                                      const ConstVectorRef& values, VectorRef out) const = 0;
};

}  // namespace riemopt

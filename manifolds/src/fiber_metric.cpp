#include "riemopt/manifolds/fiber_metric.hpp"

#include "riemopt/errors.hpp"
#include "riemopt/manifolds/balanced_factors.hpp"

namespace riemopt {

namespace {

[[noreturn]] void degenerate(const char* what) {
  throw NumericalError(std::string("FiberMetric::") + what +
                       ": the fiber metric is degenerate (it only measures motion along the "
                       "fibers of phi), so only sharp is defined");
}

}  // namespace

FiberMetric::FiberMetric(std::shared_ptr<const ParameterSpace> space) : space_(std::move(space)) {
  require(space_ != nullptr, "FiberMetric: null parameter space");
}

void FiberMetric::sharp(const Point& x, const ConstVectorRef& df, VectorRef out) const {
  out = vertical_vector(*space_, x.coords(), vertical_adjoint(*space_, x.coords(), df));
}

void FiberMetric::flat(const Point&, const ConstVectorRef&, VectorRef) const { degenerate("flat"); }

void FiberMetric::whiten(const Point&, const ConstVectorRef&, VectorRef) const {
  degenerate("whiten");
}

double FiberMetric::inner(const Point&, const ConstVectorRef&, const ConstVectorRef&) const {
  degenerate("inner");
}

Geometry fiber_geometry(std::shared_ptr<const ParameterSpace> space) {
  require(space != nullptr, "fiber_geometry: null parameter space");
  auto metric = std::make_shared<FiberMetric>(space);
  return {std::move(space), std::move(metric)};
}

}  // namespace riemopt

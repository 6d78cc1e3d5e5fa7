// The balancing regularizer R(W) = ½ Σ_p ‖W_p‖²_F and the balancing (fiber) flow of docs/MATH.md
// §2:
//   Ẇ_p = μ_p W_p − W_p μ_{p−1},   μ_p = W_{p+1}ᵀW_{p+1} − W_pW_pᵀ,   μ_0 = μ_N = 0,
// the gradient flow of R for the fiber metric (fiber_metric.hpp). It keeps φ(W) fixed, decreases
// R at rate Σ_p ‖μ_p‖², and drives the imbalance to zero exponentially (Kempf–Ness: the balanced
// points are the minimizers of R on each fiber).
//
// balance_factors runs it with the shared gradient-flow solver and reports ‖μ‖, the drift of φ
// and the fitted exponential rate.
//
//   riemopt::BalancingResult r = riemopt::balance_factors(space, w0);
//   std::cout << r.report();                     // ‖μ‖: 1.2 -> 9.7e-11, rate 0.83, drift 3e-12
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "riemopt/energy.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/manifolds/parameter_space.hpp"

namespace riemopt {

class BalancingRegularizer final : public Energy {
 public:
  // Throws InvalidArgument on a null space.
  explicit BalancingRegularizer(std::shared_ptr<const ParameterSpace> space);
  std::string name() const override { return "balancing-regularizer"; }
  Eigen::Index ambient_size() const override { return size_; }
  double value(const Point& x) const override;
  void add_gradient(const Point& x, double weight, VectorRef out) const override;
  bool has_hessian() const override { return true; }
  void add_hessian_vector(const Point& x, const ConstVectorRef& v, double weight,
                          VectorRef out) const override;

 private:
  Eigen::Index size_;
};

// Which balancing flow balance_factors integrates. Both keep φ(W) fixed and end balanced; they are
// the same curves (the moment map's field is twice the regularizer's), so kMomentMap reaches a
// given imbalance in half the flow time.
enum class BalancingFlow {
  kRegularizer,  // the fiber-metric gradient flow of R = ½Σ‖W_p‖² (below)
  kMomentMap,    // the Euclidean gradient flow of ½Σ‖μ_p‖² (squared_moment_map.hpp)
};
std::string to_string(BalancingFlow flow);  // "regularizer" | "moment-map"

struct BalancingOptions {
  BalancingFlow kind = BalancingFlow::kRegularizer;
  // The flow solver's options. The defaults set here: stop when ‖μ‖ ≤ gradient_tolerance = 1e-10
  // (for kRegularizer the solver's gradient norm is ‖μ‖ exactly, see fiber_metric.hpp; for
  // kMomentMap a callback measures ‖μ‖ after each step), tolerances 1e-12
  // absolute / 1e-10 relative (the drift of φ is at this level), 40 records per decade of time
  // (the rate fit reads them). The trajectory's observables are replaced by the drift of φ and ‖μ‖.
  GradientFlowOptions flow = default_flow();

  static GradientFlowOptions default_flow();
};

struct BalancingResult {
  // Of the flow: value = R and gradient norm = ‖μ‖ (kRegularizer), or value = ½Σ‖μ_p‖² and
  // gradient norm = ‖∇(½Σ‖μ_p‖²)‖ (kMomentMap). The trajectory's columns: drift, imbalance ‖μ‖.
  Summary summary;
  Vector factors;                                         // the balanced W
  double initial_imbalance = 0.0, final_imbalance = 0.0;  // ‖μ‖
  double initial_regularizer = 0.0, final_regularizer = 0.0;
  // ‖φ(W(t)) − φ(W_0)‖_F / ‖φ(W_0)‖_F: at the end, and the largest over the records.
  double final_drift = 0.0, max_drift = 0.0;
  // Least-squares slope r of log ‖μ(t)‖ ≈ c − r t over the records of the second half of the run
  // (NaN when fewer than three such records).
  BalancingFlow kind = BalancingFlow::kRegularizer;
  double decay_rate = 0.0;

  // Several lines: status, ‖μ‖ and R before and after, rate, drift, cost.
  std::string report() const;
};

// Throws InvalidArgument on bad options, a w0 that is not a finite point of `space`, or factors
// that no point of their orbit balances: balanced factors all have the rank of φ and the group
// action keeps ranks, so a factor of higher (numerical, 1e-10 relative) rank than φ(W) would make
// the flow creep towards the closure of the orbit without an exponential rate.
BalancingResult balance_factors(std::shared_ptr<const ParameterSpace> space, const Vector& w0,
                                const BalancingOptions& options = {});

}  // namespace riemopt

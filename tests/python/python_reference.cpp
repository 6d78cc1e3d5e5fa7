// Solves a few problems through the C++ API and prints their inputs and results as JSON, for
// tests/python/test_agreement.py to solve again through the Python module and compare to 1e-12.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "riemopt/conjugate_gradient.hpp"
#include "riemopt/energies/brockett.hpp"
#include "riemopt/energies/completion_flow.hpp"
#include "riemopt/energies/completion_instance.hpp"
#include "riemopt/energies/dln_entropy.hpp"
#include "riemopt/energies/free_energy.hpp"
#include "riemopt/energies/pulled_back_energy.hpp"
#include "riemopt/energies/spectral.hpp"
#include "riemopt/gradient_flow.hpp"
#include "riemopt/lbfgs.hpp"
#include "riemopt/manifolds/matrix_geometries.hpp"
#include "riemopt/manifolds/parameter_space.hpp"
#include "riemopt/manifolds/sphere.hpp"
#include "riemopt/manifolds/stiefel.hpp"
#include "riemopt/trust_region.hpp"

using namespace riemopt;
using nlohmann::json;

namespace {

json list(const Eigen::Ref<const Matrix>& m) {  // column-major
  return std::vector<double>(m.data(), m.data() + m.size());
}

json summary(const Summary& s) {
  return {{"x", list(s.x)},
          {"final_value", s.final_value},
          {"final_gradient_norm", s.final_gradient_norm},
          {"iterations", s.iterations},
          {"status", to_string(s.status)}};
}

}  // namespace

int main() {
  json out;
  Rng rng(20261202);

  {  // The free energy ½‖X‖² − S_3/β on 4×4 under the DLN-3 metric, trust region.
    const Matrix x0 = Matrix::Identity(4, 4) + 0.3 * gaussian_vector(16, rng).reshaped(4, 4);
    const Problem p(dln_matrices(4, 4, Depth::finite(3)),
                    free_energy(std::make_shared<SchattenEnergy>(2.0),
                                std::make_shared<MatrixEntropy>(Depth::finite(3)), 2.0));
    TrustRegionOptions o;
    o.gradient_tolerance = 1e-10;
    out["free_energy_trust_region"] = {{"x0", list(x0)},
                                       {"result", summary(trust_region(p, x0.reshaped(), o))}};
  }
  {  // Rayleigh quotient on S^29, L-BFGS.
    const Matrix b = gaussian_vector(900, rng).reshaped(30, 30);
    const Matrix a = b + b.transpose();
    Vector x0 = gaussian_vector(30, rng);
    x0 /= x0.norm();
    const Problem p(sphere_geometry(30), rayleigh_quotient(a));
    LbfgsOptions o;
    o.gradient_tolerance = 1e-9;
    out["rayleigh_lbfgs"] = {
        {"a", list(a)}, {"x0", list(x0)}, {"result", summary(lbfgs(p, x0, o))}};
  }
  {  // Brockett on St(12, 3), conjugate gradient (Hestenes-Stiefel).
    const Matrix b = gaussian_vector(144, rng).reshaped(12, 12);
    const Matrix a = b + b.transpose();
    const Vector weights = Vector::LinSpaced(3, 3.0, 1.0);
    const Geometry g = stiefel_geometry(12, 3);
    const Vector x0 = g.manifold->random_point(rng);
    const Problem p(g, std::make_shared<BrockettCost>(a, weights));
    ConjugateGradientOptions o;
    o.beta = CgBeta::kHestenesStiefel;
    o.gradient_tolerance = 1e-9;
    out["brockett_cg"] = {{"a", list(a)},
                          {"weights", list(weights)},
                          {"x0", list(x0)},
                          {"result", summary(conjugate_gradient(p, x0, o))}};
  }
  {  // Completion pulled back to factors of widths 8, 8, 8: the Euclidean flow (Dormand-Prince).
    const CompletionInstance inst = make_completion_instance({8, 8, 2, 40, 5});
    auto space = std::make_shared<ParameterSpace>(std::vector<Eigen::Index>{8, 8, 8});
    const Vector w0 = 0.3 * gaussian_vector(space->ambient_size(), rng);
    const Problem p(parameter_space_geometry(space),
                    std::make_shared<PulledBackEnergy>(
                        std::make_shared<MatrixCompletion>(8, 8, inst.observed), space));
    GradientFlowOptions o;
    o.final_time = 5.0;
    json rows, cols, values;
    for (const Observation& ob : inst.observed) {
      rows.push_back(ob.row);
      cols.push_back(ob.col);
      values.push_back(ob.value);
    }
    out["factor_flow"] = {{"rows", rows},
                          {"cols", cols},
                          {"values", values},
                          {"w0", list(w0)},
                          {"result", summary(gradient_flow(p, w0, o))}};
  }
  {  // complete_by_flow as the command line runs it (RKC), depth 2, 30×30 rank 2.
    const CompletionInstance inst = make_completion_instance({30, 30, 2, 300, 3});
    CompletionFlowOptions o;
    o.depth = Depth::finite(2);
    o.use_integrator(Integrator::kRungeKuttaChebyshev);
    const CompletionFlowResult r = complete_by_flow(30, 30, inst.observed, &inst.truth, o);
    out["complete"] = {{"x", list(r.x)},
                       {"test_mse", r.metrics.test_mse},
                       {"train_mse", r.metrics.train_mse},
                       {"iterations", r.summary.iterations}};
  }
  std::cout << out.dump() << "\n";
  return 0;
}

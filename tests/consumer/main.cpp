// Integrates a DLN flow through the installed package and checks the closed-form answer:
// Schatten-2 under DLN(2) moves each singular value by σ̇ = −2σ², so σ(1) = σ₀/(1 + 2σ₀).
#include <cmath>
#include <cstdio>
#include <riemopt/energies/spectral.hpp>
#include <riemopt/gradient_flow.hpp>
#include <riemopt/manifolds/matrix_geometries.hpp>

int main() {
  using namespace riemopt;
  const Problem problem(dln_matrices(2, 2, Depth::finite(2)),
                        std::make_shared<SchattenEnergy>(2.0));
  GradientFlowOptions options;
  options.final_time = 1.0;
  options.gradient_tolerance = 0.0;
  const Summary s =
      gradient_flow(problem, Vector::Ones(4).cwiseProduct(Vector{{1.0, 0.0, 0.0, 1.0}}), options);
  const double expected = 1.0 / 3.0;
  const double error = std::abs(s.x[0] - expected);
  std::printf("consumer: find_package(riemopt) works; sigma(1) = %.12f (expected %.12f)\n", s.x[0],
              expected);
  return error < 1e-7 ? 0 : 1;
}

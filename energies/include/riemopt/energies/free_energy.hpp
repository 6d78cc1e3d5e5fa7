// The free energy F_β = E − β⁻¹ S (docs/MATH.md §6): any energy of the library (spectral, sensing,
// completion, a LambdaEnergy, a sum) regularized by an entropy at inverse temperature β > 0.
// It is an ordinary SumEnergy, so value, gradient and (when both parts have one) Hessian compose
// and it runs on any geometry whose points the two parts accept: ChamberEntropy on the chamber,
// MatrixEntropy on square matrices.
//
//   auto loss = std::make_shared<riemopt::MatrixCompletion>(100, 100, observed);
//   auto entropy = std::make_shared<riemopt::MatrixEntropy>(riemopt::Depth::finite(3));
//   riemopt::EnergyPtr f = riemopt::free_energy(loss, entropy, 50.0);
#pragma once

#include "riemopt/energy.hpp"

namespace riemopt {

// E − (1/β) S. Throws InvalidArgument on null parts, mismatched sizes, or β that is not finite
// and > 0 (β → ∞ is "no entropy": pass the energy itself).
EnergyPtr free_energy(EnergyPtr energy, EnergyPtr entropy, double beta);

}  // namespace riemopt

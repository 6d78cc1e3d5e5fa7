#include "riemopt/energies/free_energy.hpp"

#include <cmath>

#include "riemopt/errors.hpp"

namespace riemopt {

EnergyPtr free_energy(EnergyPtr energy, EnergyPtr entropy, double beta) {
  require(energy != nullptr, "free_energy: the energy is null");
  require(entropy != nullptr, "free_energy: the entropy is null");
  require(std::isfinite(beta) && beta > 0.0,
          "free_energy: the inverse temperature beta must be finite and > 0 (got {})", beta);
  return energy - (1.0 / beta) * entropy;
}

}  // namespace riemopt

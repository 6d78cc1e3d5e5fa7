// The high-precision reference values of tests/data/dln_reference.json (docs/MATH.md §9),
// parsed to doubles (strtod rounds correctly, so each value is the double nearest the
// 25-30-digit reference).
#pragma once

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "riemopt/depth.hpp"
#include "riemopt/types.hpp"

namespace riemopt::testing {

struct EntropyReference {
  Depth depth = Depth::infinite();
  Vector sigma;
  double s_reduced = 0.0;
  Vector gradient;
  Matrix hessian;
};

struct EquilibriumReference {
  Depth depth = Depth::infinite();
  Eigen::Index d = 0;
  double beta = 0.0, p = 0.0, s0 = 0.0, s1 = 0.0;
  double s_star = 0.0, rate_uniform = 0.0, rate_relative = 0.0, time_to_s1 = 0.0;
};

struct ReferenceValues {
  std::vector<EntropyReference> entropy;
  std::vector<EquilibriumReference> equilibrium;
};

inline double parse_number(const nlohmann::json& j) {
  if (j.is_number()) return j.get<double>();
  return std::strtod(j.get<std::string>().c_str(), nullptr);
}

inline Depth parse_depth(const nlohmann::json& j) {
  if (j.is_string()) return Depth::parse(j.get<std::string>());
  return Depth::finite(j.get<int>());
}

inline const ReferenceValues& reference_values() {
  static const ReferenceValues values = [] {
    const std::string path = std::string(RIEMOPT_TEST_DATA_DIR) + "/dln_reference.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open reference values " + path);
    const nlohmann::json doc = nlohmann::json::parse(in);
    ReferenceValues out;
    for (const auto& e : doc) {
      if (e.at("kind") == "entropy") {
        EntropyReference r;
        r.depth = parse_depth(e.at("N"));
        const auto& s = e.at("sigma");
        const auto d = static_cast<Eigen::Index>(s.size());
        r.sigma.resize(d);
        r.gradient.resize(d);
        r.hessian.resize(d, d);
        for (Eigen::Index i = 0; i < d; ++i) {
          r.sigma[i] = parse_number(s[i]);
          r.gradient[i] = parse_number(e.at("grad")[i]);
          for (Eigen::Index j = 0; j < d; ++j) r.hessian(i, j) = parse_number(e.at("hess")[i][j]);
        }
        r.s_reduced = parse_number(e.at("S_reduced"));
        out.entropy.push_back(r);
      } else if (e.at("kind") == "equilibrium") {
        EquilibriumReference r;
        r.depth = parse_depth(e.at("N"));
        r.d = e.at("d").get<Eigen::Index>();
        r.beta = parse_number(e.at("beta"));
        r.p = parse_number(e.at("p"));
        r.s0 = parse_number(e.at("s0"));
        r.s1 = parse_number(e.at("s1"));
        r.s_star = parse_number(e.at("s_star"));
        r.rate_uniform = parse_number(e.at("rate_uniform"));
        r.rate_relative = parse_number(e.at("rate_relative"));
        r.time_to_s1 = parse_number(e.at("time_to_s1"));
        out.equilibrium.push_back(r);
      }
    }
    return out;
  }();
  return values;
}

}  // namespace riemopt::testing

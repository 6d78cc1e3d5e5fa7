#include "riemopt/depth.hpp"

#include <charconv>
#include <limits>

#include "riemopt/errors.hpp"

namespace riemopt {

Depth Depth::finite(int n) {
  require(n >= 1, "depth must be an integer >= 1 or infinite (got {})", n);
  return Depth(n);
}

Depth Depth::parse(std::string_view text) {
  if (text == "inf" || text == "infinity" || text == "Inf" || text == "\u221e") return infinite();
  int n = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  require(ec == std::errc() && ptr == end && !text.empty(),
          "depth must be an integer >= 1 or 'inf' (got '{}')", text);
  return finite(n);
}

int Depth::value() const {
  require(n_ != 0, "Depth::value: depth is infinite; check is_infinite() first");
  return n_;
}

double Depth::as_double() const {
  return n_ == 0 ? std::numeric_limits<double>::infinity() : static_cast<double>(n_);
}

std::string Depth::to_string() const { return n_ == 0 ? "inf" : std::to_string(n_); }

}  // namespace riemopt

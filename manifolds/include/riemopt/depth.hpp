// The depth N of a deep linear network: an integer N >= 1, or infinite depth (docs/MATH.md §1,
// §3.1).
//
//   auto d3 = riemopt::Depth::finite(3);
//   auto dinf = riemopt::Depth::infinite();
//   auto parsed = riemopt::Depth::parse("inf");   // also "3", "infinity", "∞"
#pragma once

#include <string>
#include <string_view>

namespace riemopt {

class Depth {
 public:
  // Throws InvalidArgument unless n >= 1.
  static Depth finite(int n);
  static Depth infinite() { return Depth(0); }
  // Parses "1", "2", ..., or "inf" / "infinity" / "∞". Throws InvalidArgument otherwise.
  static Depth parse(std::string_view text);

  bool is_infinite() const { return n_ == 0; }
  // The integer depth; throws InvalidArgument for infinite depth.
  int value() const;
  // N as a double (+infinity for infinite depth).
  double as_double() const;
  std::string to_string() const;

  friend bool operator==(Depth a, Depth b) { return a.n_ == b.n_; }

 private:
  explicit Depth(int n) : n_(n) {}
  int n_;  // 0 encodes infinite depth
};

}  // namespace riemopt

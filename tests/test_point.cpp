// Point: moving a point replaces its coordinates and invalidates every cache slot; the checking
// variant a flow uses on every right-hand side reports a NaN or infinite coordinate wherever it
// is, in the eight-lane blocks or in the tail after them.
#include <gtest/gtest.h>

#include <limits>

#include "riemopt/errors.hpp"
#include "riemopt/point.hpp"

namespace {

using namespace riemopt;

struct Marker : PointCacheOf<Marker> {
  int payload = 0;
};

TEST(Point, AssignReplacesTheCoordinatesAndInvalidatesTheCaches) {
  Point x(Vector::LinSpaced(6, 1.0, 6.0), 2, 3);
  x.cache<Marker>().valid = true;
  const Vector next = Vector::LinSpaced(6, -1.0, -6.0);
  x.assign(next);
  EXPECT_EQ(x.coords(), next);
  EXPECT_EQ(x.rows(), 2);
  EXPECT_EQ(x.cols(), 3);
  EXPECT_FALSE(x.cache<Marker>().valid);
  EXPECT_THROW(x.assign(Vector::Zero(5)), InvalidArgument);
}

TEST(Point, AssignCheckingFiniteFindsABadCoordinateAnywhere) {
  const double bad_values[] = {std::numeric_limits<double>::quiet_NaN(),
                               std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity()};
  for (Eigen::Index n : {1, 7, 8, 9, 17, 100}) {
    Point x(Vector::Zero(n));
    // Large but finite coordinates are finite: the check is not a test of magnitude.
    Vector finite = Vector::LinSpaced(n, -1e300, 1e300);
    x.cache<Marker>().valid = true;
    EXPECT_TRUE(x.assign_checking_finite(finite)) << n;
    EXPECT_EQ(x.coords(), finite) << n;
    EXPECT_FALSE(x.cache<Marker>().valid) << n;
    for (Eigen::Index k = 0; k < n; ++k) {
      for (const double bad : bad_values) {
        Vector v = Vector::LinSpaced(n, 0.5, 2.5);
        v[k] = bad;
        x.cache<Marker>().valid = true;
        EXPECT_FALSE(x.assign_checking_finite(v)) << "n = " << n << ", entry " << k << " = " << bad;
        // The coordinates are replaced either way, and the caches no longer describe them.
        EXPECT_TRUE(
            (x.coords().array() == v.array() || (x.coords().array().isNaN() && v.array().isNaN()))
                .all());
        EXPECT_FALSE(x.cache<Marker>().valid);
      }
    }
  }
  Point x(Vector::Zero(4));
  EXPECT_THROW(x.assign_checking_finite(Vector::Zero(3)), InvalidArgument);
}

}  // namespace

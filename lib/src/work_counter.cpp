#include "riemopt/work_counter.hpp"

namespace riemopt {
namespace {

thread_local std::uint64_t t_decompositions = 0;

}  // namespace

std::uint64_t decomposition_count() { return t_decompositions; }

void count_decomposition() { ++t_decompositions; }

}  // namespace riemopt

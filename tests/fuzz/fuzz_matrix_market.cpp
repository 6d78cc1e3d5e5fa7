// libFuzzer target: the Matrix Market readers (coordinate observations and dense truth). Every
// input must either parse into a consistent result or throw riemopt::InvalidArgument.
#include <cmath>
#include <cstdlib>

#include "fuzz_input_file.hpp"
#include "riemopt/energies/completion_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = riemopt::fuzz::write_input(data, size);
  try {
    const riemopt::ObservedEntries obs = riemopt::read_matrix_market_coordinate(path);
    // What the reader accepted must satisfy what it promises.
    if (obs.entries.empty() || obs.rows < 1 || obs.cols < 1) std::abort();
    for (const riemopt::Observation& o : obs.entries)
      if (o.row < 0 || o.row >= obs.rows || o.col < 0 || o.col >= obs.cols ||
          !std::isfinite(o.value))
        std::abort();
  } catch (const riemopt::InvalidArgument&) {
  }
  try {  // format detection: Matrix Market or ratings, never a silent misreading
    const riemopt::ObservedEntries obs = riemopt::read_observations(path);
    if (obs.entries.empty() || obs.rows < 1 || obs.cols < 1) std::abort();
    for (const riemopt::Observation& o : obs.entries)
      if (!std::isfinite(o.value) || std::abs(o.value) > riemopt::kMaxDataMagnitude) std::abort();
  } catch (const riemopt::InvalidArgument&) {
  }
  try {
    const riemopt::Matrix m = riemopt::read_matrix_market_dense(path);
    if (m.size() == 0 || !m.allFinite()) std::abort();
  } catch (const riemopt::InvalidArgument&) {
  }
  return 0;
}

// libFuzzer target: the MovieLens-style rating reader, through read_observations (which also
// routes "%%MatrixMarket" inputs). Accepted files must give in-range, finite, duplicate-free
// entries with one id per row and column.
#include <cmath>
#include <cstdlib>
#include <set>
#include <utility>

#include "fuzz_input_file.hpp"
#include "riemopt/energies/completion_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = riemopt::fuzz::write_input(data, size);
  try {
    const riemopt::ObservedEntries obs = riemopt::read_observations(path);
    if (obs.entries.empty()) std::abort();
    std::set<std::pair<Eigen::Index, Eigen::Index>> seen;
    for (const riemopt::Observation& o : obs.entries) {
      if (o.row < 0 || o.row >= obs.rows || o.col < 0 || o.col >= obs.cols ||
          !std::isfinite(o.value))
        std::abort();
      if (!seen.insert({o.row, o.col}).second) std::abort();
    }
    if (!obs.row_ids.empty() && static_cast<Eigen::Index>(obs.row_ids.size()) != obs.rows)
      std::abort();
  } catch (const riemopt::InvalidArgument&) {
  }
  return 0;
}

// Reading and writing matrix-completion data: Matrix Market files and MovieLens-style rating
// files.
//
//   riemopt::ObservedEntries obs = riemopt::read_observations("observed.mtx");  // or ratings.dat
//   riemopt::Matrix truth = riemopt::read_matrix_market_dense("truth.mtx", obs.rows, obs.cols);
//   riemopt::write_matrix_market_coordinate("out.mtx", obs);
//
// Matrix Market (https://math.nist.gov/MatrixMarket/formats.html): the header
// `%%MatrixMarket matrix coordinate|array real|integer general` (case-insensitive), `%` comment
// lines, a size line (`rows cols entries` for coordinate, `rows cols` for array), then the entries:
// `i j value` with 1-based indices (coordinate), or one value per line in column-major order
// (array). Pattern, complex and symmetric variants are rejected with a message saying so.
//
// Rating files (MovieLens ml-100k `u.data`, ml-1m `ratings.dat`, ml-latest `ratings.csv`): one
// `user item rating [timestamp]` per line, separated by whitespace, `::` or `,`; the first line
// is a header (and skipped) when its first field is a word, not a number (`+1` and `-0` are
// numbers). A line starting with `%` is never a rating. User and item ids are arbitrary
// positive integers; they are mapped, in increasing order, to rows and columns 0, 1, ...
//
// Every reader rejects malformed input with a FileFormatError whose message starts with
// `path:line:` and says what was expected: unreadable files, bad headers, wrong counts,
// non-numbers, NaN/infinite values, hexadecimal floats, values that underflow or exceed
// kMaxDataMagnitude, out-of-range and duplicate indices, empty observation sets, lines over
// 1 MiB. Only regular files are read (a FIFO, device or folder is refused before it is opened);
// a UTF-8 byte-order mark at the start of a file is skipped.
// Writers go through write_file_atomically (an existing file is replaced only on success).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "riemopt/atomic_file.hpp"
#include "riemopt/energies/matrix_completion.hpp"
#include "riemopt/errors.hpp"

namespace riemopt {

// A malformed or unreadable data file. The message starts with "path:line:" (line 0 when the
// problem is the file as a whole).
class FileFormatError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

// Observed entries of a rows×cols matrix, with 0-based indices, in file order.
struct ObservedEntries {
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  std::vector<Observation> entries;
  // For rating files: the original user and item ids of each row and column (empty otherwise).
  std::vector<std::int64_t> row_ids;
  std::vector<std::int64_t> col_ids;
};

// A `coordinate real|integer general` Matrix Market file. Rejects duplicates and empty sets.
ObservedEntries read_matrix_market_coordinate(const std::string& path);

// The largest dense matrix the completion tools build from files or options: 2^26 entries
// (512 MiB; 8192×8192). A coordinate file lists only its nonzeros, so without a cap a few bytes
// could ask for any amount of memory. A completion run works with several such matrices at once
// (4.4 GB at this size; docs/BENCHMARKS.md).
inline constexpr std::int64_t kMaxDenseMatrixEntries = std::int64_t{1} << 26;

// The largest magnitude of a value the readers accept: the squares of kMaxDenseMatrixEntries such
// values still sum to a finite double, so errors computed from the data (test MSE, the loss)
// never overflow.
inline constexpr double kMaxDataMagnitude = 1e150;

// A full matrix from a Matrix Market file: `array` (all entries) or `coordinate` (entries not
// listed are zero). When expected_rows/expected_cols are > 0 the size must match them. Matrices
// of more than kMaxDenseMatrixEntries entries are refused with FileFormatError.
Matrix read_matrix_market_dense(const std::string& path, Eigen::Index expected_rows = 0,
                                Eigen::Index expected_cols = 0);

// A MovieLens-style rating file (see above). Rejects duplicates (same user and item twice).
ObservedEntries read_rating_file(const std::string& path);

// Chooses by content, never guessing between two readings: a file whose first line starts with
// `%` (after a byte-order mark and spaces) is Matrix Market, read as `coordinate` or refused
// with the reason (a `%MatrixMarket` banner with one `%` is refused; the banner word is matched
// without regard to case); anything else is read as a rating file.
ObservedEntries read_observations(const std::string& path);

// Writers (17 significant digits, so values round-trip exactly). Throw InvalidArgument on
// out-of-range indices or non-finite values, std::runtime_error when the file cannot be written.
void write_matrix_market_coordinate(const std::string& path, const ObservedEntries& observed,
                                    const std::string& comment = "");
void write_matrix_market_array(const std::string& path, const Matrix& matrix,
                               const std::string& comment = "");
// The text those writers write, produced piece by piece, for callers that stage several files
// (StagedOutputs in atomic_file.hpp). The data is validated when the producer is made (same
// errors as the writers); the producer refers to `observed` / `matrix`, which must outlive it.
TextProducer matrix_market_coordinate_producer(const ObservedEntries& observed,
                                               const std::string& comment = "");
TextProducer matrix_market_array_producer(const Matrix& matrix, const std::string& comment = "");

}  // namespace riemopt

#include "riemopt/energies/completion_files.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "riemopt/atomic_file.hpp"

namespace riemopt {
namespace {

// Reads a text file line by line and formats errors as "path:line: message". Only regular files
// are read: a FIFO, a device (/dev/zero, /dev/stdin on a terminal or pipe) or a folder is refused
// before it is opened, so nothing blocks, nothing is consumed and nothing endless is read. Lines
// are capped at kMaxLineBytes. A UTF-8 byte-order mark at the start is skipped.
class LineReader {
 public:
  static constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;

  explicit LineReader(const std::string& path) : path_(path) {
    struct stat status = {};
    if (::stat(path.c_str(), &status) != 0)
      fail_file(fmt::format("cannot open the file for reading ({})", std::strerror(errno)));
    if (!S_ISREG(status.st_mode))
      fail_file(
          fmt::format("the path is {}, not a regular file; give a file (pipes, devices "
                      "and folders are not read)",
                      file_type_name(status.st_mode)));
    file_bytes_ = static_cast<std::int64_t>(status.st_size);
    in_.open(path, std::ios::binary);
    if (!in_) fail_file("cannot open the file for reading");
  }

  // The file's size when it was opened.
  std::int64_t file_bytes() const { return file_bytes_; }

  // The next line (without the end-of-line characters), or false at the end of the file.
  bool next(std::string& line) {
    line.clear();
    std::streambuf* buffer = in_.rdbuf();
    int c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      if (in_.bad()) fail_file("read error");
      return false;
    }
    ++line_number_;
    for (; c != std::char_traits<char>::eof() && c != '\n'; c = buffer->sbumpc()) {
      if (line.size() == kMaxLineBytes)
        fail("the line is longer than {} bytes (not a text data file?)", kMaxLineBytes);
      line.push_back(static_cast<char>(c));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_number_ == 1 && line.rfind(kByteOrderMark, 0) == 0) line.erase(0, 3);
    if (line.find('\0') != std::string::npos) fail("the line contains a NUL byte (binary file?)");
    return true;
  }

  long line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) const {
    fail_at(line_number_, format, std::forward<Args>(args)...);
  }
  // The same, for an earlier line (a duplicate found after the whole file was read).
  template <typename... Args>
  [[noreturn]] void fail_at(long line, fmt::format_string<Args...> format, Args&&... args) const {
    throw FileFormatError(
        fmt::format("{}:{}: {}", path_, line, fmt::format(format, std::forward<Args>(args)...)));
  }
  [[noreturn]] void fail_file(const std::string& what) const {
    throw FileFormatError(fmt::format("{}:0: {}", path_, what));
  }

 private:
  static constexpr const char* kByteOrderMark = "\xEF\xBB\xBF";
  std::string path_;
  std::ifstream in_;
  std::int64_t file_bytes_ = 0;
  long line_number_ = 0;
};

// True when the whole token reads as a decimal number ("+1", "-0", "4.5", "1e3").
bool is_number(const std::string& token) {
  char* end = nullptr;
  std::strtod(token.c_str(), &end);
  return !token.empty() && end == token.c_str() + token.size();
}

bool is_blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); });
}

// Splits a line at whitespace into `tokens`, reusing their storage: a data loop that passes the
// same vector allocates nothing per line (short tokens live inside their strings).
void split_whitespace(const std::string& line, std::vector<std::string>& tokens) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t count = 0;
  const char* p = line.data();
  const char* const end = p + line.size();
  while (true) {
    while (p != end && space(*p)) ++p;
    if (p == end) break;
    const char* const start = p;
    while (p != end && !space(*p)) ++p;
    if (count == tokens.size()) tokens.emplace_back();
    tokens[count++].assign(start, p);
  }
  tokens.resize(count);
}

std::vector<std::string> split_whitespace(const std::string& line) {
  std::vector<std::string> tokens;
  split_whitespace(line, tokens);
  return tokens;
}

// The (row, column) pairs of a file with the lines they were read on. The first pair repeated in
// the file is found after reading, by sorting: a tree of a million pairs, probed on every line,
// spent most of a MovieLens-size read in cache misses.
class RepeatFinder {
 public:
  struct Repeat {
    std::int64_t a, b;
    long first_line, repeat_line;
  };

  void reserve(std::size_t n) { seen_.reserve(n); }
  void add(std::int64_t a, std::int64_t b, long line) { seen_.push_back({a, b, line}); }

  // The repeat on the earliest line of the file, if any, with the line its pair was first given
  // on; what a check on every line would have reported first.
  std::optional<Repeat> first_repeat() {
    std::sort(seen_.begin(), seen_.end(), [](const Seen& x, const Seen& y) {
      return std::tie(x.a, x.b, x.line) < std::tie(y.a, y.b, y.line);
    });
    std::optional<Repeat> earliest;
    for (std::size_t k = 1; k < seen_.size(); ++k) {
      const Seen& first = seen_[k - 1];
      const Seen& repeat = seen_[k];
      if (repeat.a != first.a || repeat.b != first.b) continue;
      // Within a run of one pair only its second line is a first repeat; first is the run's head
      // when k − 1 starts the run.
      const bool second_of_run = k == 1 || seen_[k - 2].a != first.a || seen_[k - 2].b != first.b;
      if (second_of_run && (!earliest || repeat.line < earliest->repeat_line))
        earliest = Repeat{first.a, first.b, first.line, repeat.line};
    }
    return earliest;
  }

 private:
  struct Seen {
    std::int64_t a, b;
    long line;
  };
  std::vector<Seen> seen_;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A whole decimal token as a finite double of moderate size. Hexadecimal floats (which strtod
// would read) are refused, so are values that underflow to zero or to a subnormal number (the
// file says something the double cannot hold) and values above kMaxDataMagnitude, whose squares
// summed over a whole matrix would overflow the errors the programs report.
double parse_value(const LineReader& reader, const std::string& token, const char* what) {
  if (token.find_first_of("xX") != std::string::npos)
    reader.fail("{} '{}' is not a decimal number (hexadecimal floats are not accepted)", what,
                token);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(token.c_str(), &end);
  if (token.empty() || end != token.c_str() + token.size())
    reader.fail("{} '{}' is not a number", what, token);
  if (!std::isfinite(v))
    reader.fail("{} '{}' is not finite (NaN and infinity are rejected)", what, token);
  if (errno == ERANGE && std::abs(v) < std::numeric_limits<double>::min())
    reader.fail("{} '{}' underflows double precision (its magnitude is below {:g})", what, token,
                std::numeric_limits<double>::min());
  if (std::abs(v) > kMaxDataMagnitude)
    reader.fail(
        "{} '{}' is too large: data values must have magnitude <= {:g}, so that sums of "
        "their squares stay finite",
        what, token, kMaxDataMagnitude);
  return v;
}

// A whole token as an integer in [lo, hi].
std::int64_t parse_integer(const LineReader& reader, const std::string& token, const char* what,
                           std::int64_t lo, std::int64_t hi) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(token.c_str(), &end, 10);
  if (token.empty() || end != token.c_str() + token.size())
    reader.fail("{} '{}' is not an integer", what, token);
  if (errno == ERANGE || v < lo || v > hi)
    reader.fail("{} {} is out of range (expected {}..{})", what, token, lo, hi);
  return v;
}

enum class MmFormat { kCoordinate, kArray };

struct MmHeader {
  MmFormat format;
  Eigen::Index rows = 0, cols = 0;
  std::int64_t entries = 0;  // coordinate only
};

// Largest dimension accepted: keeps indices and rows·cols within 64-bit arithmetic.
constexpr std::int64_t kMaxDimension = std::int64_t{1} << 31;

MmHeader read_mm_header(LineReader& reader) {
  std::string line;
  bool read = reader.next(line);
  while (read && is_blank(line)) read = reader.next(line);  // blank lines before the banner
  if (!read) reader.fail_file("the file is empty (expected a %%MatrixMarket header)");
  const std::vector<std::string> banner = split_whitespace(line);
  if (!banner.empty() && lower(banner[0]) == "%matrixmarket")
    reader.fail("the banner '{}' has one '%'; a Matrix Market file starts with '%%MatrixMarket'",
                banner[0]);
  if (banner.empty() || lower(banner[0]) != "%%matrixmarket")
    reader.fail("expected the header '%%MatrixMarket matrix coordinate|array real general'");
  if (banner.size() != 5)
    reader.fail("the header must have 5 words: %%MatrixMarket matrix <format> <field> <symmetry>");
  if (lower(banner[1]) != "matrix")
    reader.fail("object '{}' is not supported (expected 'matrix')", banner[1]);
  MmHeader header{};
  const std::string format = lower(banner[2]);
  if (format == "coordinate")
    header.format = MmFormat::kCoordinate;
  else if (format == "array")
    header.format = MmFormat::kArray;
  else
    reader.fail("format '{}' is not supported (expected 'coordinate' or 'array')", banner[2]);
  const std::string field = lower(banner[3]);
  if (field != "real" && field != "integer" && field != "double")
    reader.fail("field '{}' is not supported (expected 'real' or 'integer')", banner[3]);
  if (lower(banner[4]) != "general")
    reader.fail("symmetry '{}' is not supported (expected 'general')", banner[4]);

  while (reader.next(line)) {
    if (is_blank(line) || line[0] == '%') continue;
    const std::vector<std::string> size = split_whitespace(line);
    const std::size_t expected = header.format == MmFormat::kCoordinate ? 3 : 2;
    if (size.size() != expected)
      reader.fail("the size line must have {} numbers ({}), got {}", expected,
                  header.format == MmFormat::kCoordinate ? "rows cols entries" : "rows cols",
                  size.size());
    header.rows = parse_integer(reader, size[0], "row count", 1, kMaxDimension);
    header.cols = parse_integer(reader, size[1], "column count", 1, kMaxDimension);
    if (header.format == MmFormat::kCoordinate)
      header.entries = parse_integer(reader, size[2], "entry count", 0,
                                     std::numeric_limits<std::int64_t>::max());
    return header;
  }
  reader.fail("the file ends before the size line");
}

// Reads the coordinate entries after the header; checks ranges and duplicates.
std::vector<Observation> read_mm_coordinates(LineReader& reader, const MmHeader& header) {
  std::vector<Observation> entries;
  if (header.entries / header.rows > header.cols)
    reader.fail("entry count {} exceeds rows*cols = {}*{}", header.entries, header.rows,
                header.cols);
  const auto expected = static_cast<std::size_t>(std::min<std::int64_t>(header.entries, 1 << 24));
  entries.reserve(expected);
  RepeatFinder pairs;
  pairs.reserve(expected);
  std::string line;
  std::vector<std::string> t;
  while (reader.next(line)) {
    if (is_blank(line) || line[0] == '%') continue;
    split_whitespace(line, t);
    if (static_cast<std::int64_t>(entries.size()) == header.entries)
      reader.fail("more entries than the {} declared on the size line", header.entries);
    if (t.size() != 3) reader.fail("expected 'row col value', got {} fields", t.size());
    const Eigen::Index i = parse_integer(reader, t[0], "row index", 1, header.rows) - 1;
    const Eigen::Index j = parse_integer(reader, t[1], "column index", 1, header.cols) - 1;
    const double v = parse_value(reader, t[2], "value");
    pairs.add(i, j, reader.line_number());
    entries.push_back({i, j, v});
  }
  if (static_cast<std::int64_t>(entries.size()) != header.entries)
    reader.fail("the file ends after {} entries but the size line declares {}", entries.size(),
                header.entries);
  if (const auto repeat = pairs.first_repeat())
    reader.fail_at(repeat->repeat_line, "duplicate entry ({}, {}) (first given on line {})",
                   repeat->a + 1, repeat->b + 1, repeat->first_line);
  return entries;
}

std::string format_value(double v) { return fmt::format("{:.17g}", v); }

// "% " before every line of a (possibly multi-line) comment.
std::string comment_lines(const std::string& comment) {
  if (comment.empty()) return "";
  std::string out = "% ";
  for (char c : comment) out += c == '\n' ? std::string("\n% ") : std::string(1, c);
  return out + "\n";
}

}  // namespace

ObservedEntries read_matrix_market_coordinate(const std::string& path) {
  LineReader reader(path);
  const MmHeader header = read_mm_header(reader);
  if (header.format != MmFormat::kCoordinate)
    throw FileFormatError(fmt::format(
        "{}:1: observations must be a 'coordinate' Matrix Market file (this one is 'array')",
        path));
  ObservedEntries out;
  out.rows = header.rows;
  out.cols = header.cols;
  out.entries = read_mm_coordinates(reader, header);
  if (out.entries.empty())
    throw FileFormatError(fmt::format("{}:{}: the file has no entries (an empty observation set)",
                                      path, reader.line_number()));
  return out;
}

Matrix read_matrix_market_dense(const std::string& path, Eigen::Index expected_rows,
                                Eigen::Index expected_cols) {
  LineReader reader(path);
  const MmHeader header = read_mm_header(reader);
  if ((expected_rows > 0 && header.rows != expected_rows) ||
      (expected_cols > 0 && header.cols != expected_cols))
    reader.fail("the matrix is {}x{} but {}x{} was expected", header.rows, header.cols,
                expected_rows, expected_cols);
  const std::int64_t total = header.rows * header.cols;
  if (total > kMaxDenseMatrixEntries)
    reader.fail(
        "a {}x{} dense matrix ({} entries) is larger than the reader's limit of {} ({} MiB)",
        header.rows, header.cols, total, kMaxDenseMatrixEntries, kMaxDenseMatrixEntries * 8 >> 20);
  if (header.format == MmFormat::kCoordinate) {
    Matrix m = Matrix::Zero(header.rows, header.cols);
    for (const Observation& o : read_mm_coordinates(reader, header)) m(o.row, o.col) = o.value;
    return m;
  }
  // Memory never exceeds what the file itself justifies: a file of B bytes holds at most B/2
  // values ("0\n"). When it is large enough for the declared matrix, the values go straight
  // into it (one matrix, no copy); otherwise they are collected first, so a short file that
  // declares a large matrix fails on its own size, not after allocating the declared one.
  const bool direct = reader.file_bytes() / 2 >= total;
  Matrix m;
  std::vector<double> collected;
  if (direct)
    m.resize(header.rows, header.cols);
  else
    collected.reserve(static_cast<std::size_t>(std::min<std::int64_t>(total, 1 << 16)));
  std::int64_t count = 0;
  std::string line;
  std::vector<std::string> t;
  while (reader.next(line)) {
    if (is_blank(line) || line[0] == '%') continue;
    split_whitespace(line, t);
    if (t.size() != 1) reader.fail("expected one value per line, got {} fields", t.size());
    if (count == total)
      reader.fail("more values than the {}x{} declared", header.rows, header.cols);
    const double v = parse_value(reader, t[0], "value");
    if (direct)
      m.data()[count] = v;  // column-major, as the file
    else
      collected.push_back(v);
    ++count;
  }
  if (count != total)
    reader.fail("the file ends after {} values but {}x{} = {} were declared", count, header.rows,
                header.cols, total);
  if (!direct) m = Eigen::Map<const Matrix>(collected.data(), header.rows, header.cols);
  return m;
}

ObservedEntries read_rating_file(const std::string& path) {
  LineReader reader(path);
  struct Raw {
    std::int64_t user, item;
    double rating;
  };
  std::vector<Raw> raw;
  RepeatFinder pairs;
  std::string line;
  std::vector<std::string> t;
  while (reader.next(line)) {
    if (is_blank(line)) continue;
    // "::" and "," separate fields like whitespace does.
    std::replace_if(
        line.begin(), line.end(), [](char c) { return c == ':' || c == ','; }, ' ');
    split_whitespace(line, t);
    if (t.empty()) reader.fail("expected 'user item rating [timestamp]', got only separators");
    if (t[0][0] == '%')
      reader.fail(
          "a rating file has no '%' lines (a Matrix Market file starts with "
          "'%%MatrixMarket')");
    if (reader.line_number() == 1 && !is_number(t[0]))
      continue;  // a header such as "userId,movieId,rating,timestamp"
    if (t.size() != 3 && t.size() != 4)
      reader.fail("expected 'user item rating [timestamp]', got {} fields", t.size());
    const std::int64_t user = parse_integer(reader, t[0], "user id", 0, kMaxDimension);
    const std::int64_t item = parse_integer(reader, t[1], "item id", 0, kMaxDimension);
    const double rating = parse_value(reader, t[2], "rating");
    if (t.size() == 4) parse_value(reader, t[3], "timestamp");
    pairs.add(user, item, reader.line_number());
    raw.push_back({user, item, rating});
  }
  if (raw.empty()) reader.fail("the file has no ratings (an empty observation set)");
  if (const auto repeat = pairs.first_repeat())
    reader.fail_at(repeat->repeat_line,
                   "duplicate rating of item {} by user {} (first given on line {})", repeat->b,
                   repeat->a, repeat->first_line);

  ObservedEntries out;
  std::map<std::int64_t, Eigen::Index> user_index, item_index;
  for (const Raw& r : raw) {
    user_index.emplace(r.user, 0);
    item_index.emplace(r.item, 0);
  }
  for (auto& [id, index] : user_index) {
    index = static_cast<Eigen::Index>(out.row_ids.size());
    out.row_ids.push_back(id);
  }
  for (auto& [id, index] : item_index) {
    index = static_cast<Eigen::Index>(out.col_ids.size());
    out.col_ids.push_back(id);
  }
  out.rows = static_cast<Eigen::Index>(out.row_ids.size());
  out.cols = static_cast<Eigen::Index>(out.col_ids.size());
  out.entries.reserve(raw.size());
  for (const Raw& r : raw)
    out.entries.push_back({user_index[r.user], item_index[r.item], r.rating});
  return out;
}

ObservedEntries read_observations(const std::string& path) {
  std::string first;
  {
    LineReader reader(path);  // refuses what is not a regular file before reading a byte
    while (reader.next(first) && is_blank(first)) {
    }
  }
  const std::size_t start = first.find_first_not_of(" \t");
  if (start != std::string::npos && first[start] == '%') return read_matrix_market_coordinate(path);
  return read_rating_file(path);
}

void write_matrix_market_coordinate(const std::string& path, const ObservedEntries& observed,
                                    const std::string& comment) {
  write_file_atomically(path, matrix_market_coordinate_producer(observed, comment));
}

void write_matrix_market_array(const std::string& path, const Matrix& matrix,
                               const std::string& comment) {
  write_file_atomically(path, matrix_market_array_producer(matrix, comment));
}

TextProducer matrix_market_coordinate_producer(const ObservedEntries& observed,
                                               const std::string& comment) {
  require(observed.rows >= 1 && observed.cols >= 1,
          "write_matrix_market_coordinate: the size must be at least 1x1 (got {}x{})",
          observed.rows, observed.cols);
  for (const Observation& o : observed.entries) {
    require(o.row >= 0 && o.row < observed.rows && o.col >= 0 && o.col < observed.cols,
            "write_matrix_market_coordinate: entry ({}, {}) is outside the {}x{} matrix", o.row,
            o.col, observed.rows, observed.cols);
    require(std::isfinite(o.value),
            "write_matrix_market_coordinate: entry ({}, {}) has the non-finite value {}", o.row,
            o.col, o.value);
  }
  return [&observed, comment](TextSink& sink) {
    sink.append("%%MatrixMarket matrix coordinate real general\n");
    sink.append(comment_lines(comment));
    sink.append(fmt::format("{} {} {}\n", observed.rows, observed.cols, observed.entries.size()));
    for (const Observation& o : observed.entries)
      sink.append(fmt::format("{} {} {}\n", o.row + 1, o.col + 1, format_value(o.value)));
  };
}

TextProducer matrix_market_array_producer(const Matrix& matrix, const std::string& comment) {
  require(matrix.rows() >= 1 && matrix.cols() >= 1,
          "write_matrix_market_array: the matrix must be at least 1x1 (got {}x{})", matrix.rows(),
          matrix.cols());
  require_finite(matrix, "write_matrix_market_array: matrix");
  return [&matrix, comment](TextSink& sink) {
    sink.append("%%MatrixMarket matrix array real general\n");
    sink.append(comment_lines(comment));
    sink.append(fmt::format("{} {}\n", matrix.rows(), matrix.cols()));
    for (Eigen::Index k = 0; k < matrix.size(); ++k)
      sink.append(format_value(matrix.data()[k]) + "\n");
  };
}

}  // namespace riemopt

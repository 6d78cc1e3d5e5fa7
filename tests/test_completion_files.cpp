// Matrix Market and rating-file readers and writers: exact round trips, the formats in the wild
// (MovieLens ml-100k, ml-1m, ml-latest), and one rejection per kind of malformed input, each with
// the file and line it names.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "riemopt/energies/completion_files.hpp"
#include "test_helpers.hpp"

namespace {

using namespace riemopt;
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path dir = riemopt::testing::scratch_directory();
  return dir / name;
}

fs::path write_text(const std::string& name, const std::string& text) {
  const fs::path p = scratch(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

// The message of the FileFormatError that reading p as a dense matrix throws; "(read)" when it
// reads (which no expected message contains).
std::string dense_read_error(const fs::path& p) {
  try {
    read_matrix_market_dense(p.string());
  } catch (const FileFormatError& e) {
    return e.what();
  }
  return "(read)";
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(MatrixMarket, CoordinateRoundTripIsExact) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  ObservedEntries obs;
  obs.rows = 7;
  obs.cols = 4;
  for (Eigen::Index j = 0; j < 4; ++j)
    for (Eigen::Index i = j % 2; i < 7; i += 2) obs.entries.push_back({i, j, normal(rng) * 1e-3});
  const fs::path p = scratch("roundtrip.mtx");
  write_matrix_market_coordinate(p.string(), obs, "two\nlines");
  const ObservedEntries back = read_matrix_market_coordinate(p.string());
  EXPECT_EQ(back.rows, 7);
  EXPECT_EQ(back.cols, 4);
  ASSERT_EQ(back.entries.size(), obs.entries.size());
  for (std::size_t k = 0; k < obs.entries.size(); ++k) {
    EXPECT_EQ(back.entries[k].row, obs.entries[k].row);
    EXPECT_EQ(back.entries[k].col, obs.entries[k].col);
    EXPECT_EQ(back.entries[k].value, obs.entries[k].value);  // bit-exact with 17 digits
  }
  // The same file read as a dense matrix: listed entries, zeros elsewhere.
  const Matrix dense = read_matrix_market_dense(p.string(), 7, 4);
  EXPECT_EQ(dense(obs.entries[3].row, obs.entries[3].col), obs.entries[3].value);
  EXPECT_EQ(dense(1, 0), 0.0);
}

TEST(MatrixMarket, ArrayRoundTripIsExactAndColumnMajor) {
  Matrix m(2, 3);
  m << 1.0 / 3.0, -2e-300, 5.5, 1e150, 0.0, -7.25;  // 1e150: the largest magnitude read
  const fs::path p = scratch("array.mtx");
  write_matrix_market_array(p.string(), m);
  EXPECT_EQ(read_matrix_market_dense(p.string()), m);
  const fs::path q =
      write_text("hand.mtx", "%%MatrixMarket matrix array real general\n% c\n2 2\n1\n2\n3\n4\n");
  Matrix expected(2, 2);
  expected << 1, 3, 2, 4;
  EXPECT_EQ(read_matrix_market_dense(q.string()), expected);
}

TEST(MatrixMarket, HeaderWordsAreCaseInsensitiveAndIntegerFieldIsAccepted) {
  const fs::path p = write_text(
      "upper.mtx", "%%MatrixMarket MATRIX Coordinate INTEGER General\r\n\r\n2 2 1\r\n2 1 -3\r\n");
  const ObservedEntries obs = read_matrix_market_coordinate(p.string());
  ASSERT_EQ(obs.entries.size(), 1u);
  EXPECT_EQ(obs.entries[0].row, 1);
  EXPECT_EQ(obs.entries[0].col, 0);
  EXPECT_EQ(obs.entries[0].value, -3.0);
}

TEST(RatingFiles, ReadsTheMovieLensLayoutsAndCompactsIds) {
  // ml-100k u.data (tabs), ml-1m ratings.dat (::), ml-latest ratings.csv (header, commas).
  const fs::path tabs = write_text("u.data",
                                   "196\t242\t3\t881250949\n186\t302\t3.5\t891717742\n"
                                   "196\t302\t1\t878887116\n");
  const fs::path colons = write_text("ratings.dat",
                                     "1::1193::5::978300760\n1::661::3::978302109\n"
                                     "2::1193::4::978298413\n");
  const fs::path csv = write_text("ratings.csv",
                                  "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n"
                                  "1,3,4.0,964981247\n6,1,2.5,845553522\n");
  const ObservedEntries a = read_observations(tabs.string());
  EXPECT_EQ(a.rows, 2);  // users 186, 196
  EXPECT_EQ(a.cols, 2);  // items 242, 302
  EXPECT_EQ(a.row_ids, (std::vector<std::int64_t>{186, 196}));
  EXPECT_EQ(a.col_ids, (std::vector<std::int64_t>{242, 302}));
  ASSERT_EQ(a.entries.size(), 3u);
  EXPECT_EQ(a.entries[1].row, 0);  // user 186
  EXPECT_EQ(a.entries[1].col, 1);  // item 302
  EXPECT_EQ(a.entries[1].value, 3.5);
  const ObservedEntries b = read_observations(colons.string());
  EXPECT_EQ(b.rows, 2);
  EXPECT_EQ(b.cols, 2);
  EXPECT_EQ(b.entries[0].col, 1);  // item 1193 after 661
  const ObservedEntries c = read_observations(csv.string());
  EXPECT_EQ(c.rows, 2);
  EXPECT_EQ(c.cols, 2);
  EXPECT_EQ(c.entries[2].value, 2.5);
  EXPECT_EQ(c.row_ids, (std::vector<std::int64_t>{1, 6}));
}

struct BadFile {
  const char* name;
  const char* content;
  const char* expected_location;  // "file:line:"
  const char* expected_text;
  bool rating = false;
};

class RejectsMalformedFiles : public ::testing::TestWithParam<BadFile> {};

TEST_P(RejectsMalformedFiles, NamingFileAndLine) {
  const BadFile& c = GetParam();
  const fs::path p = write_text(c.name, c.content);
  const std::string before = read_text(p);
  try {
    if (c.rating)
      read_rating_file(p.string());
    else
      read_matrix_market_coordinate(p.string());
    FAIL() << "accepted " << c.name;
  } catch (const FileFormatError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(p.string() + ":" + c.expected_location), std::string::npos) << message;
    EXPECT_NE(message.find(c.expected_text), std::string::npos) << message;
  }
  EXPECT_EQ(read_text(p), before);  // the input is never modified
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RejectsMalformedFiles,
    ::testing::Values(
        BadFile{"empty.mtx", "", "0:", "empty"},
        BadFile{"banner.mtx", "%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 1\n",
                "1:", "has one '%'; a Matrix Market file starts with '%%MatrixMarket'"},
        BadFile{"pattern.mtx", "%%MatrixMarket matrix coordinate pattern general\n1 1 1\n1 1\n",
                "1:", "field 'pattern' is not supported"},
        BadFile{"symmetric.mtx", "%%MatrixMarket matrix coordinate real symmetric\n1 1 1\n1 1 1\n",
                "1:", "symmetry 'symmetric'"},
        BadFile{"array.mtx", "%%MatrixMarket matrix array real general\n1 1\n1\n",
                "1:", "must be a 'coordinate'"},
        BadFile{"size.mtx", "%%MatrixMarket matrix coordinate real general\n% c\n3 3\n",
                "3:", "size line must have 3 numbers"},
        BadFile{"nosize.mtx", "%%MatrixMarket matrix coordinate real general\n% only\n",
                "2:", "ends before the size line"},
        BadFile{"zero_rows.mtx", "%%MatrixMarket matrix coordinate real general\n0 3 0\n",
                "2:", "row count 0 is out of range"},
        BadFile{"row_range.mtx",
                "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n4 1 1\n",
                "4:", "row index 4 is out of range (expected 1..3)"},
        BadFile{"zero_index.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n0 1 1\n",
                "3:", "row index 0 is out of range"},
        BadFile{"col_range.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 -2 1\n",
                "3:", "column index -2 is out of range"},
        BadFile{"dup.mtx",
                "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 2\n1 1 3\n",
                "5:", "duplicate entry (1, 1) (first given on line 3)"},
        // The repeat on the earliest line is reported, not the smallest pair, and a pair given
        // three times is reported at its second line.
        BadFile{"dup_order.mtx",
                "%%MatrixMarket matrix coordinate real general\n3 3 5\n1 1 1\n3 3 2\n3 3 3\n"
                "1 1 4\n3 3 5\n",
                "5:", "duplicate entry (3, 3) (first given on line 4)"},
        BadFile{"dup_triple.mtx",
                "%%MatrixMarket matrix coordinate real general\n3 3 5\n2 1 1\n1 2 1\n2 1 3\n"
                "2 1 4\n1 2 5\n",
                "5:", "duplicate entry (2, 1) (first given on line 3)"},
        BadFile{"nan.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 nan\n",
                "3:", "value 'nan' is not finite"},
        BadFile{"inf.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1e999\n",
                "3:", "not finite"},
        BadFile{"word.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 abc\n",
                "3:", "value 'abc' is not a number"},
        BadFile{"float_index.mtx",
                "%%MatrixMarket matrix coordinate real general\n3 3 1\n1.5 1 2\n",
                "3:", "row index '1.5' is not an integer"},
        BadFile{"fields.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 2 4\n",
                "3:", "expected 'row col value', got 4 fields"},
        BadFile{"short.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 2\n",
                "3:", "ends after 1 entries but the size line declares 3"},
        BadFile{"long.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 2\n2 2 2\n",
                "4:", "more entries than the 1 declared"},
        BadFile{"none.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 0\n",
                "2:", "empty observation set"},
        BadFile{"r_fields.data", "1 2\n", "1:", "expected 'user item rating [timestamp]'", true},
        BadFile{"r_dup.data", "1 2 3\n4 5 1\n1 2 4\n",
                "3:", "duplicate rating of item 2 by user 1 (first given on line 1)", true},
        BadFile{"r_dup_order.data", "1 2 3\n9 9 1\n9 9 2\n1 2 4\n",
                "3:", "duplicate rating of item 9 by user 9 (first given on line 2)", true},
        BadFile{"r_nan.data", "1 2 3\n4 5 NaN\n", "2:", "rating 'NaN' is not finite", true},
        BadFile{"r_neg.data", "1 2 3\n-4 5 1\n", "2:", "user id -4 is out of range", true},
        BadFile{"r_header2.data", "1 2 3\nuser item rating\n",
                "2:", "user id 'user' is not an integer", true},
        BadFile{"r_empty.data", "userId,movieId,rating\n\n", "2:", "no ratings", true},
        BadFile{"r_time.data", "1::2::3::yesterday\n",
                "1:", "timestamp 'yesterday' is not a number", true},
        // Values the double cannot hold as written, or whose squares would overflow.
        BadFile{"hex.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 0x1p3\n",
                "3:", "value '0x1p3' is not a decimal number (hexadecimal floats"},
        BadFile{"under.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1e-400\n",
                "3:", "value '1e-400' underflows double precision"},
        BadFile{"subnormal.mtx",
                "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 -3e-320\n",
                "3:", "value '-3e-320' underflows"},
        BadFile{"big.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 2e150\n",
                "3:", "value '2e150' is too large: data values must have magnitude <= 1e+150"},
        BadFile{"r_hex.data", "1 2 0X10\n", "1:", "rating '0X10' is not a decimal number", true},
        BadFile{"r_big.data", "1 2 3\n4 5 -1e200\n", "2:", "rating '-1e200' is too large", true},
        // A '%' line is never a rating, and the first line is a header only if it is words.
        BadFile{"r_percent.data", "%%matrixmarket matrix coordinate real general\n1 1 1\n",
                "1:", "a rating file has no '%' lines", true},
        BadFile{"r_sep.data", "1 2 3\n:: ,,\n", "2:", "got only separators", true}));

TEST(CompletionFiles, SignedNumbersOnTheFirstLineAreRatingsNotAHeader) {
  // "+1 1 4" and "-0 1 4" are numbers: read as data, not dropped as a header.
  const fs::path p = write_text("signed.data", "+1 1 4\n-0 2 5\n3 1 2\n");
  const ObservedEntries r = read_observations(p.string());
  ASSERT_EQ(r.entries.size(), 3u);
  EXPECT_EQ(r.row_ids, (std::vector<std::int64_t>{0, 1, 3}));
  EXPECT_EQ(r.entries[0].value, 4.0);  // user 1 (row 1), item 1
  EXPECT_EQ(r.entries[0].row, 1);
  EXPECT_EQ(r.entries[1].row, 0);  // user -0 = 0
  // A word first field is a header.
  const fs::path h = write_text("header.data", "user,item,rating\n7,8,1.5\n");
  EXPECT_EQ(read_observations(h.string()).entries.size(), 1u);
}

TEST(CompletionFiles, FilesThatStartLikeMatrixMarketAreReadAsMatrixMarketOrRefused) {
  const std::string body = " matrix coordinate real general\n% a comment\n4 3 2\n1 1 2.5\n4 3 -1\n";
  // A byte-order mark, leading spaces and a lower-case banner word: unambiguous, read as such.
  for (const std::string& start :
       {std::string("\xEF\xBB\xBF%%MatrixMarket"), std::string("   %%MatrixMarket"),
        std::string("%%matrixmarket"), std::string("\n\n%%MatrixMarket")}) {
    const fs::path p = write_text("variant.mtx", start + body);
    const ObservedEntries r = read_observations(p.string());
    EXPECT_EQ(r.rows, 4) << start;  // the size line, never a rating
    EXPECT_EQ(r.cols, 3) << start;
    ASSERT_EQ(r.entries.size(), 2u) << start;
    EXPECT_EQ(r.entries[1].value, -1.0) << start;
    EXPECT_TRUE(r.row_ids.empty()) << start;
  }
  // Starts with '%' but not with a banner: refused with the reason, not read as ratings.
  for (const auto& [start, reason] : std::vector<std::pair<std::string, std::string>>{
           {"%MatrixMarket", "has one '%'"},
           {"% generated by hand\n%%MatrixMarket", "expected the header '%%MatrixMarket"},
           {"\xEF\xBB\xBF%MatrixMarket", "has one '%'"}}) {
    const fs::path p = write_text("refused.mtx", start + body);
    try {
      read_observations(p.string());
      FAIL() << "read " << start;
    } catch (const FileFormatError& e) {
      EXPECT_NE(std::string(e.what()).find(p.string() + ":1: "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
  }
}

TEST(CompletionFiles, OnlyRegularFilesAreReadAndLinesAreCapped) {
  // A folder, a FIFO and a device: refused before they are opened (a FIFO would block, /dev/zero
  // would never end), with what the path is.
  const fs::path folder = scratch("a-folder");
  fs::create_directories(folder);
  const fs::path fifo = scratch("a-fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const auto& [path, kind] :
       std::vector<std::pair<std::string, std::string>>{{folder.string(), "a folder"},
                                                        {fifo.string(), "a FIFO (pipe)"},
                                                        {"/dev/zero", "a character device"}}) {
    for (int reader = 0; reader < 3; ++reader) {
      try {
        if (reader == 0) read_observations(path);
        if (reader == 1) read_matrix_market_dense(path);
        if (reader == 2) read_rating_file(path);
        FAIL() << "read " << path;
      } catch (const FileFormatError& e) {
        EXPECT_NE(std::string(e.what()).find(path + ":0: the path is " + kind), std::string::npos)
            << e.what();
      }
    }
  }
  // A line of more than 1 MiB: refused when the cap is reached, not read whole.
  const fs::path p = write_text("long-line.data", "1 2 " + std::string(2u << 20, '5') + "\n");
  try {
    read_observations(p.string());
    FAIL();
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find(":1: the line is longer than 1048576 bytes"),
              std::string::npos)
        << e.what();
  }
}

TEST(CompletionFiles, BinaryContentIsRejected) {
  const std::string text("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1\0 2\n", 59);
  const fs::path p = write_text("binary.mtx", text);
  try {
    read_matrix_market_coordinate(p.string());
    FAIL();
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find(":3: the line contains a NUL byte"), std::string::npos)
        << e.what();
  }
}

TEST(CompletionFiles, MissingFileIsReportedWithItsPath) {
  const std::string p = scratch("does-not-exist.mtx").string();
  try {
    read_observations(p);
    FAIL();
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find(p + ":0: cannot open"), std::string::npos) << e.what();
  }
}

TEST(CompletionFiles, DenseReaderChecksTheExpectedSize) {
  const fs::path p =
      write_text("small.mtx", "%%MatrixMarket matrix array real general\n2 1\n1\n2\n");
  EXPECT_THROW(read_matrix_market_dense(p.string(), 2, 2), FileFormatError);
  const fs::path q = write_text("few.mtx", "%%MatrixMarket matrix array real general\n2 2\n1\n2\n");
  EXPECT_THROW(read_matrix_market_dense(q.string()), FileFormatError);
}

TEST(CompletionFiles, DenseReaderRefusesHugeDeclaredSizesWithoutAllocatingThem) {
  // Found by fuzz_matrix_market (an out-of-memory): a few bytes declaring a 1×2e8 matrix. As
  // observations the file is fine; as a dense matrix it is over the reader's 2^26-entry limit.
  const fs::path p = write_text(
      "huge.mtx", "%%MatrixMarket matrix coordinate integer general\n1 200000000 1\n1 12 3\n");
  const ObservedEntries obs = read_matrix_market_coordinate(p.string());
  EXPECT_EQ(obs.cols, 200000000);
  ASSERT_EQ(obs.entries.size(), 1u);
  EXPECT_EQ(obs.entries[0].col, 11);
  const std::string huge_error = dense_read_error(p);
  EXPECT_NE(huge_error.find("larger than the reader's limit of 67108864"), std::string::npos)
      << huge_error;
  // Under the limit but short: an array file that declares 8000×8000 and holds two values fails
  // on its length (the values are read before the 512 MB matrix would be allocated).
  const fs::path q =
      write_text("short.mtx", "%%MatrixMarket matrix array real general\n8000 8000\n1\n2\n");
  const std::string short_error = dense_read_error(q);
  EXPECT_NE(short_error.find("ends after 2 values but 8000x8000 = 64000000"), std::string::npos)
      << short_error;
}

TEST(CompletionFiles, WritersRejectBadDataAndLeaveExistingFilesAlone) {
  const fs::path p = write_text("keep.mtx", "precious");
  ObservedEntries bad;
  bad.rows = 2;
  bad.cols = 2;
  bad.entries = {{0, 0, 1.0}, {2, 0, 1.0}};
  EXPECT_THROW(write_matrix_market_coordinate(p.string(), bad), InvalidArgument);
  bad.entries = {{0, 0, std::nan("")}};
  EXPECT_THROW(write_matrix_market_coordinate(p.string(), bad), InvalidArgument);
  Matrix m = Matrix::Ones(2, 2);
  m(1, 1) = std::numeric_limits<double>::infinity();
  EXPECT_THROW(write_matrix_market_array(p.string(), m), InvalidArgument);
  EXPECT_THROW(
      write_matrix_market_array((scratch("no-such-dir") / "x.mtx").string(), Matrix::Ones(1, 1)),
      std::runtime_error);
  EXPECT_EQ(read_text(p), "precious");
}

}  // namespace

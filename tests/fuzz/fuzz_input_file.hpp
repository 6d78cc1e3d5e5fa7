// Shared by the file-parser fuzzers: the parsers take paths, so each input is written to a
// per-process scratch file first. Exceptions other than riemopt::InvalidArgument (which
// FileFormatError derives from) are bugs: they escape and libFuzzer reports them.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace riemopt::fuzz {

inline const std::string& scratch_path() {
  static const std::string path = "/tmp/riemopt-fuzz-" + std::to_string(::getpid()) + ".input";
  return path;
}

inline const std::string& write_input(const std::uint8_t* data, std::size_t size) {
  const std::string& path = scratch_path();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace riemopt::fuzz

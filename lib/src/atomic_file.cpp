#include "riemopt/atomic_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace riemopt {

void write_file_atomically(const std::string& path, const std::string& content) {
  if (path.empty()) throw std::runtime_error("write_file_atomically: empty output path");
  std::random_device device;
  const std::string temporary = fmt::format("{}.tmp.{:08x}", path, device());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      throw std::runtime_error(
          fmt::format("cannot open '{}' for writing: {}", temporary, std::strerror(errno)));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw std::runtime_error(fmt::format("cannot write '{}'", temporary));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::remove(temporary.c_str());
    throw std::runtime_error(
        fmt::format("cannot rename '{}' to '{}': {}", temporary, path, ec.message()));
  }
}

}  // namespace riemopt

// Writing output files so that a reader never sees a half-written file and an existing file is
// replaced only on success: the content goes to a temporary file beside the target, which is
// then renamed over it (rename(2) is atomic within a file system).
//
//   riemopt::write_file_atomically("result.json", json_text);
#pragma once

#include <string>

namespace riemopt {

// Throws std::runtime_error naming the path when the file cannot be written or renamed; on
// failure the temporary file is removed and any existing target is left untouched.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace riemopt

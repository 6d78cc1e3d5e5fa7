// Writing output files safely. Every writer of the library and its programs goes through here:
//
// - a reader never sees a half-written file, and an existing file is replaced only on success:
//   the content goes to a temporary file in the target's folder, then rename(2) puts it in place;
// - nothing but the named path changes: the temporary is created exclusively (mkstemp, O_EXCL,
//   a random name, never through a link) and is removed on every failure path, and, once
//   remove_temporaries_on_signals() is installed, when SIGINT, SIGTERM or SIGHUP ends the
//   process during the write;
// - only regular files are replaced: a symbolic link, FIFO, device, socket or folder at the
//   target is refused with a message, never turned into a regular file;
// - a replaced file keeps its permission bits (and, where the process may set them, its owner);
//   a new file gets 0666 minus the umask, as with open(2).
//
//   riemopt::check_output_path("result.json");       // before a long run: fail early
//   riemopt::write_file_atomically("result.json", json_text);
//
//   riemopt::StagedOutputs outputs;                  // several files, all or none
//   outputs.stage("a.csv", csv);
//   outputs.stage("b.png", png);
//   outputs.commit();                                // renames both; nothing changed before
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace riemopt {

// A file's content produced in pieces: what append() receives is buffered and written to the
// temporary file as it grows, so a large file (a dense Matrix Market matrix of 2^26 entries is
// 1.3 GB of text) is never held whole in memory.
class TextSink {
 public:
  virtual ~TextSink() = default;
  virtual void append(std::string_view text) = 0;
};
using TextProducer = std::function<void(TextSink&)>;

// What a file of this st_mode is, for messages about paths that are not regular files: "a
// folder", "a FIFO (pipe)", "a character device", "a block device", "a socket".
const char* file_type_name(unsigned mode);

// Throws std::runtime_error naming the path and the reason when it cannot be an output: the path
// is empty, its folder does not exist or is not writable, or something other than a writable
// regular file is there.
void check_output_path(const std::string& path);

// check_output_path, then the content to a temporary beside the target, renamed over it.
// Throws std::runtime_error naming the path when the file cannot be written or renamed; on
// failure the temporary file is removed and any existing target is left untouched.
void write_file_atomically(const std::string& path, const std::string& content);
// The same, with the content produced piece by piece. An exception from `produce` removes the
// temporary and propagates.
void write_file_atomically(const std::string& path, const TextProducer& produce);

// Several outputs written all or none: stage() checks a path and writes its content to a
// temporary file; commit() renames every staged file into place. Until commit() no target has
// changed, so a failure while staging (or an exception between stage and commit) leaves every
// output as it was: the destructor removes the temporaries that were not committed.
class StagedOutputs {
 public:
  StagedOutputs() = default;
  StagedOutputs(const StagedOutputs&) = delete;
  StagedOutputs& operator=(const StagedOutputs&) = delete;
  ~StagedOutputs();

  // Throws std::runtime_error (see write_file_atomically); an empty path is ignored.
  void stage(const std::string& path, const std::string& content);
  void stage(const std::string& path, const TextProducer& produce);
  // Renames the staged files in the order they were staged. Throws std::runtime_error if one
  // rename fails (the targets before it have been replaced; the rest are left as they were).
  void commit();

 private:
  struct Staged {
    std::string temporary, target;
    int slot;  // in the table of temporaries removed on a signal (-1: not in it)
  };
  std::vector<Staged> staged_;
};

// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the temporary files of writes in
// progress, then end the process by the same signal (default action). For command-line
// programs; call once at start-up.
void remove_temporaries_on_signals();

}  // namespace riemopt

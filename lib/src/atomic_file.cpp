#include "riemopt/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace riemopt {
namespace {

// ---- temporaries to remove when a signal ends the process ---------------------------------------
// A fixed table, so that the signal handler only reads memory and calls unlink(2), both
// async-signal-safe. A path is copied into its slot before the slot is marked used.
constexpr int kSlots = 64;
constexpr std::size_t kSlotPathSize = 4096;
struct Slot {
  std::atomic<bool> used{false};
  char path[kSlotPathSize] = {};
};
Slot g_slots[kSlots];
std::mutex g_slots_mutex;

int register_temporary(const std::string& path) {
  if (path.size() >= kSlotPathSize) return -1;
  const std::lock_guard<std::mutex> lock(g_slots_mutex);
  for (int i = 0; i < kSlots; ++i) {
    if (g_slots[i].used.load(std::memory_order_acquire)) continue;
    std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
    g_slots[i].used.store(true, std::memory_order_release);
    return i;
  }
  return -1;  // table full: still removed on every ordinary failure path
}

void unregister_temporary(int slot) {
  if (slot >= 0) g_slots[slot].used.store(false, std::memory_order_release);
}

// Removes a temporary that will not be renamed and releases its slot (every failure path).
void discard_temporary(const std::string& temporary, int& slot) {
  ::unlink(temporary.c_str());
  unregister_temporary(slot);
  slot = -1;
}

extern "C" void remove_temporaries_and_reraise(int signal_number) {
  for (Slot& slot : g_slots)
    if (slot.used.load(std::memory_order_acquire)) ::unlink(slot.path);
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

// Blocks SIGINT, SIGTERM and SIGHUP while a temporary is created and registered, so that no
// signal can arrive between the two.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, &previous_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t previous_;
};

// ---- the target
// ------------------------------------------------------------------------------------
struct Target {
  bool exists = false;
  struct stat status = {};
  std::string folder;
};

Target inspect(const std::string& path) {
  if (path.empty()) throw std::runtime_error("an output path is empty");
  Target t;
  if (::lstat(path.c_str(), &t.status) == 0) {
    if (S_ISLNK(t.status.st_mode))
      throw std::runtime_error(fmt::format(
          "'{}' is a symbolic link; refusing to replace it (name the file it points to)", path));
    if (!S_ISREG(t.status.st_mode))
      throw std::runtime_error(fmt::format("'{}' is {}, not a regular file; refusing to replace it",
                                           path, file_type_name(t.status.st_mode)));
    if (::access(path.c_str(), W_OK) != 0)
      throw std::runtime_error(fmt::format("'{}' exists and is not writable", path));
    t.exists = true;
  } else if (errno != ENOENT) {
    throw std::runtime_error(fmt::format("cannot inspect '{}': {}", path, std::strerror(errno)));
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  t.folder = parent.empty() ? "." : parent.string();
  struct stat folder_status = {};
  if (::stat(t.folder.c_str(), &folder_status) != 0 || !S_ISDIR(folder_status.st_mode))
    throw std::runtime_error(
        fmt::format("cannot write '{}': the folder '{}' does not exist", path, t.folder));
  if (::access(t.folder.c_str(), W_OK | X_OK) != 0)
    throw std::runtime_error(
        fmt::format("cannot write '{}': the folder '{}' is not writable", path, t.folder));
  return t;
}

mode_t new_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

bool write_all(int fd, const std::string& content) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

// Buffers appended text and writes it to `fd` in blocks of about 1 MiB.
class FileSink final : public TextSink {
 public:
  explicit FileSink(int fd) : fd_(fd) { buffer_.reserve(kBlock); }
  void append(std::string_view text) override {
    buffer_.append(text);
    if (buffer_.size() >= kBlock) flush();
  }
  void flush() {
    if (!write_all(fd_, buffer_)) throw std::runtime_error(std::strerror(errno));
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  int fd_;
  std::string buffer_;
};

// Writes the produced content to a new temporary file in the target's folder and returns its
// path. On failure (of the file system or of `produce`) nothing is left behind and the exception
// propagates (std::runtime_error saying why for the file system).
std::string write_temporary(const std::string& path, const TextProducer& produce, int& slot) {
  const Target target = inspect(path);
  std::string base = std::filesystem::path(path).filename().string();
  if (base.size() > 200) base.resize(200);  // the name must stay below NAME_MAX
  std::string temporary =
      (std::filesystem::path(target.folder) / ("." + base + ".tmp-XXXXXX")).string();
  int fd = -1;
  {
    const SignalBlock block;
    fd = ::mkstemp(temporary.data());
    if (fd < 0)
      throw std::runtime_error(fmt::format("cannot create a temporary file beside '{}': {}", path,
                                           std::strerror(errno)));
    slot = register_temporary(temporary);
  }
  const auto close_and_discard = [&] {
    if (fd >= 0) ::close(fd);
    discard_temporary(temporary, slot);
  };
  const auto fail = [&](const std::string& what) {
    const int error = errno;
    close_and_discard();
    throw std::runtime_error(
        fmt::format("cannot write '{}': {} ({})", path, what, std::strerror(error)));
  };
  try {
    FileSink sink(fd);
    produce(sink);
    sink.flush();
  } catch (const std::runtime_error& e) {
    close_and_discard();
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path, e.what()));
  } catch (...) {
    close_and_discard();
    throw;
  }
  const mode_t mode = target.exists ? (target.status.st_mode & 07777) : new_file_mode();
  if (::fchmod(fd, mode) != 0) fail("cannot set the permissions");
  if (target.exists && (target.status.st_uid != ::geteuid() || target.status.st_gid != ::getegid()))
    (void)::fchown(fd, target.status.st_uid, target.status.st_gid);  // where the process may
  if (::fsync(fd) != 0) fail("fsync failed");
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("close failed");
  return temporary;
}

void rename_into_place(const std::string& temporary, const std::string& path, int& slot) {
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    discard_temporary(temporary, slot);
    throw std::runtime_error(
        fmt::format("cannot rename '{}' to '{}': {}", temporary, path, std::strerror(error)));
  }
  unregister_temporary(slot);
  slot = -1;
}

}  // namespace

const char* file_type_name(unsigned mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

void check_output_path(const std::string& path) { inspect(path); }

namespace {
TextProducer whole(const std::string& content) {
  return [&content](TextSink& sink) { sink.append(content); };
}
}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  write_file_atomically(path, whole(content));
}

void write_file_atomically(const std::string& path, const TextProducer& produce) {
  int slot = -1;
  const std::string temporary = write_temporary(path, produce, slot);
  // The target is inspected again right before the rename: it may have become a link or a
  // special file while the content was written.
  try {
    inspect(path);
  } catch (...) {
    discard_temporary(temporary, slot);
    throw;
  }
  rename_into_place(temporary, path, slot);
}

StagedOutputs::~StagedOutputs() {
  for (Staged& s : staged_) discard_temporary(s.temporary, s.slot);  // not committed
}

void StagedOutputs::stage(const std::string& path, const std::string& content) {
  stage(path, whole(content));
}

void StagedOutputs::stage(const std::string& path, const TextProducer& produce) {
  if (path.empty()) return;
  int slot = -1;
  std::string temporary = write_temporary(path, produce, slot);
  staged_.push_back({std::move(temporary), path, slot});
}

void StagedOutputs::commit() {
  for (const Staged& s : staged_) inspect(s.target);  // nothing is renamed if any target changed
  while (!staged_.empty()) {
    Staged s = staged_.front();
    staged_.erase(staged_.begin());
    rename_into_place(s.temporary, s.target, s.slot);
  }
}

void remove_temporaries_on_signals() {
  struct sigaction action = {};
  action.sa_handler = remove_temporaries_and_reraise;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal_number, &action, nullptr);
}

}  // namespace riemopt

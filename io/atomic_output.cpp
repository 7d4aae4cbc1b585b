#include "io/atomic_output.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/errors.hpp"

namespace kseg {
namespace {

std::string check_destination(const std::string& path, bool overwrite, const std::vector<std::string>& reads) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(directory)) return path + ": directory " + directory.string() + " does not exist";
  const std::string foreign = foreign_destination(path, reads);
  if (!foreign.empty()) return foreign;
  if (fs::exists(target) && !overwrite)
    return path + ": already exists; kseg never overwrites a result (pass --force to replace it)";
  return "";
}

bool same_inode(int fd, const std::string& path) {
  struct stat held {}, named {};
  return fstat(fd, &held) == 0 && stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
         held.st_ino == named.st_ino;
}

// An exclusive lock on `path` (created when missing), or −1 with `problem` set. The path must
// still name the locked file afterwards: a run that finished in between unlinked the one we opened.
int lock_file(const std::string& path, const std::string& output, std::string& problem) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      problem = path + ": cannot create the lock file: " + std::strerror(errno);
      return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      problem = output + ": another kseg run is writing it now (" + path +
                " is locked); wait for that run to end or choose another output";
      return -1;
    }
    if (same_inode(fd, path)) return fd;
    ::close(fd);
  }
  problem = path + ": the lock file keeps changing; is another kseg run starting on " + output + "?";
  return -1;
}

}  // namespace

std::string foreign_destination(const std::string& path, const std::vector<std::string>& reads) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::exists(path, error)) return "";
  if (!fs::is_regular_file(path, error))
    return path + ": is not a regular file (a device, FIFO or directory); kseg writes only regular files";
  for (const std::string& input : reads)
    if (!input.empty() && fs::equivalent(path, input, error))
      return path + ": is the input " + input + " of this run; kseg never writes over what it reads";
  return "";
}

AtomicOutput::AtomicOutput(std::string final_path, bool overwrite, const std::vector<std::string>& reads,
                           const Communicator& comm)
    : final_path_(std::move(final_path)), partial_path_(final_path_ + ".partial"), comm_(comm) {
  // Rank 0 decides, every rank learns the verdict: so all ranks raise the same error together.
  std::string problem;
  if (comm_.is_root()) {
    problem = check_destination(final_path_, overwrite, reads);
    if (problem.empty()) lock_fd_ = lock_file(final_path_ + ".lock", final_path_, problem);
  }
  problem = comm_.broadcast_string(problem, 0);
  if (!problem.empty()) throw InputError(problem, ErrorScope::all_ranks);
  if (comm_.is_root()) std::remove(partial_path_.c_str());  // left by a killed earlier run; never a live one's
  comm_.barrier();
}

AtomicOutput::~AtomicOutput() {
  if (!committed_ && comm_.is_root()) std::remove(partial_path_.c_str());
  if (lock_fd_ >= 0) {
    std::remove((final_path_ + ".lock").c_str());  // before the unlock: a waiting run then sees a new file
    ::close(lock_fd_);
  }
}

void AtomicOutput::commit() {
  comm_.barrier();  // every rank has finished writing
  std::string problem;
  if (comm_.is_root() && std::rename(partial_path_.c_str(), final_path_.c_str()) != 0)
    problem = final_path_ + ": cannot move the finished file into place: " + std::strerror(errno);
  problem = comm_.broadcast_string(problem, 0);
  if (!problem.empty()) throw IoError(problem, ErrorScope::all_ranks);
  committed_ = true;
}

}  // namespace kseg

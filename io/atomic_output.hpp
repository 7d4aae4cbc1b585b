#pragma once

#include <string>
#include <vector>

#include "common/communicator.hpp"

namespace kseg {

/// An output file that appears under its final name only when complete (docs/DESIGN.md, principle 4).
/// Collective. The constructor refuses (on every rank) a missing directory, a destination that is
/// not a regular file, one that is any of the run's inputs (`reads`: the same file by device and
/// inode, whatever the path), an existing file unless `overwrite`, and a destination another run
/// is writing: rank 0 holds an exclusive lock on `<final>.lock` from construction to destruction,
/// so a second run refuses and never deletes a live run's partial file. Writers write to
/// partial_path(); commit() renames it into place. Without a commit, e.g. when an exception
/// unwinds, rank 0 removes the partial file, so a failed run never touches an earlier result.
class AtomicOutput {
 public:
  AtomicOutput(std::string final_path, bool overwrite, const std::vector<std::string>& reads, const Communicator& comm);
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& path() const { return final_path_; }
  const std::string& partial_path() const { return partial_path_; }
  void commit();

 private:
  std::string final_path_;
  std::string partial_path_;
  const Communicator& comm_;
  int lock_fd_ = -1;  // rank 0: the held lock on <final>.lock
  bool committed_ = false;
};

/// Why kseg may not write `path` (empty: it may): not a regular file, or one of `reads`.
std::string foreign_destination(const std::string& path, const std::vector<std::string>& reads);

}  // namespace kseg

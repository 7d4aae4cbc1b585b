#pragma once

#include <string>

#include "common/communicator.hpp"

namespace kseg {

/// An output file that appears under its final name only when complete (docs/DESIGN.md, principle 4).
/// Collective. The constructor refuses (on every rank) an existing file unless `overwrite`, and a
/// missing directory; writers write to partial_path(); commit() renames it into place. Without a
/// commit, e.g. when an exception unwinds, rank 0 removes the partial file, so a failed run never
/// touches an earlier result.
class AtomicOutput {
 public:
  AtomicOutput(std::string final_path, bool overwrite, const Communicator& comm);
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
  bool committed_ = false;
};

}  // namespace kseg

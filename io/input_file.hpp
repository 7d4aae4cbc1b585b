#pragma once

#include <string>

#include "common/communicator.hpp"
#include "io/hdf5.hpp"

namespace kseg {

/// A job's input file, opened once, collectively (parallel HDF5), for everything the job reads
/// from it: the feature matrix or the transactions, and the optional /customers table.
class InputFile {
 public:
  /// Collective. Refuses (every rank) a missing file, a folder or a file that is not HDF5.
  InputFile(const std::string& path, const Communicator& comm);

  const std::string& path() const { return path_; }
  const Communicator& comm() const { return comm_; }
  hid_t handle() const { return file_; }
  /// Whether the file holds this group or dataset.
  bool has(const std::string& link) const { return h5::link_exists(file_, link); }

 private:
  std::string path_;
  const Communicator& comm_;
  h5::Id file_;
};

}  // namespace kseg

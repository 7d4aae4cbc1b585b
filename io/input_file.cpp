#include "io/input_file.hpp"

#include <filesystem>

#include "common/errors.hpp"

namespace kseg {
namespace {

h5::Id open_input(const std::string& path, const Communicator& comm) {
  if (!std::filesystem::exists(path)) refuse(path + ": no such file");
  if (std::filesystem::is_directory(path)) refuse(path + ": is a directory, expected an HDF5 file");
  if (H5Fis_hdf5(path.c_str()) <= 0) refuse(path + ": not an HDF5 file (truncated or corrupt?)");
  try {
    return h5::open_parallel(path, comm);
  } catch (const IoError& e) {
    refuse(e.what());
  }
}

}  // namespace

InputFile::InputFile(const std::string& path, const Communicator& comm)
    : path_(path), comm_(comm), file_(open_input(path, comm)) {}

}  // namespace kseg

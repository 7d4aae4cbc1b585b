#include "io/input_file.hpp"

#include <filesystem>

#include "common/errors.hpp"

namespace kseg {
namespace {

h5::Id open_input(const std::string& path, const Communicator& comm) {
  h5::refuse_unless_hdf5_file(path);
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

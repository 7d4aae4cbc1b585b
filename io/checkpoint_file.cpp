#include "io/checkpoint_file.hpp"

#include <cstdio>
#include <filesystem>

#include "common/errors.hpp"
#include "io/hdf5.hpp"

namespace kseg {
namespace {

constexpr const char* kIdentity = "kseg_checkpoint";

std::vector<int64_t> scalars_of(const CheckpointData& c) {
  return {c.restart, c.iteration, c.best_restart, c.best_inertia_high, c.best_inertia_low, c.best_iterations,
          c.best_converged};
}

template <typename T>
void write_vector(hid_t file, const char* name, hid_t type, const std::vector<T>& values) {
  h5::write_small(file, name, type, {static_cast<hsize_t>(values.size())}, values.data());
}

}  // namespace

void write_checkpoint(const std::string& path, const CheckpointData& c) {
  const std::string partial = path + ".partial";
  {
    h5::Id file(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                partial + ": cannot create the checkpoint");
    h5::write_string_array_attribute(file, kIdentity, {c.identity});
    write_vector(file, "/scalars", H5T_NATIVE_INT64, scalars_of(c));
    write_vector(file, "/centroids", H5T_NATIVE_FLOAT, c.centroids);
    write_vector(file, "/best_centroids", H5T_NATIVE_FLOAT, c.best_centroids);
    write_vector(file, "/best_sizes", H5T_NATIVE_INT64, c.best_sizes);
    write_vector(file, "/restart_inertia", H5T_NATIVE_DOUBLE, c.restart_inertia);
    write_vector(file, "/best_inertia", H5T_NATIVE_DOUBLE, std::vector<double>{c.best_inertia});
    file.close(partial + ": cannot close the checkpoint (disk full?)");
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) throw IoError(path + ": cannot move the checkpoint into place");
}

CheckpointData read_checkpoint(const std::string& path) {
  auto refuse = [&](const std::string& why) -> CheckpointData { throw InputError(path + ": " + why, ErrorScope::all_ranks); };
  if (!std::filesystem::is_regular_file(path)) return refuse("no such checkpoint");
  if (H5Fis_hdf5(path.c_str()) <= 0) return refuse("not a kseg checkpoint (not HDF5)");
  try {
    h5::Id file = h5::open_serial(path);
    const std::vector<std::string> identity = h5::read_string_array_attribute(file, kIdentity, path);
    if (identity.size() != 1) return refuse("not a kseg checkpoint");
    CheckpointData c;
    c.identity = identity[0];
    const std::vector<int64_t> s = h5::read_small<int64_t>(file, "/scalars", H5T_NATIVE_INT64, path);
    if (s.size() != scalars_of(c).size()) return refuse("not a kseg checkpoint (scalars)");
    c.restart = s[0], c.iteration = s[1], c.best_restart = s[2], c.best_inertia_high = s[3];
    c.best_inertia_low = s[4], c.best_iterations = s[5], c.best_converged = s[6];
    c.centroids = h5::read_small<float>(file, "/centroids", H5T_NATIVE_FLOAT, path);
    c.best_centroids = h5::read_small<float>(file, "/best_centroids", H5T_NATIVE_FLOAT, path);
    c.best_sizes = h5::read_small<int64_t>(file, "/best_sizes", H5T_NATIVE_INT64, path);
    c.restart_inertia = h5::read_small<double>(file, "/restart_inertia", H5T_NATIVE_DOUBLE, path);
    c.best_inertia = h5::read_small<double>(file, "/best_inertia", H5T_NATIVE_DOUBLE, path).at(0);
    return c;
  } catch (const IoError& e) {
    return refuse(std::string("unreadable checkpoint: ") + e.what());
  }
}

}  // namespace kseg

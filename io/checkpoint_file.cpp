#include "io/checkpoint_file.hpp"

#include <cstdio>
#include <new>
#include <filesystem>

#include "common/errors.hpp"
#include "io/hdf5.hpp"

namespace kseg {
namespace {

constexpr const char* kIdentity = "kseg_checkpoint";

std::vector<int64_t> scalars_of(const CheckpointData& c) {
  return {c.restart, c.iteration, c.best_restart, c.best_iterations, c.best_converged};
}

constexpr const char* kChecksum = "checksum";

// FNV-1a over every byte a checkpoint holds, so a flipped bit anywhere is found on resume.
class Checksum {
 public:
  template <typename T>
  Checksum& add(const std::vector<T>& values) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
    for (std::size_t i = 0; i < values.size() * sizeof(T); ++i) hash_ = (hash_ ^ bytes[i]) * 1099511628211ULL;
    return *this;
  }
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash_));
    return text;
  }

 private:
  uint64_t hash_ = 14695981039346656037ULL;
};

std::string checksum_of(const CheckpointData& c) {
  return Checksum()
      .add(std::vector<char>(c.identity.begin(), c.identity.end()))
      .add(scalars_of(c))
      .add(c.centroids)
      .add(c.best_centroids)
      .add(c.best_sizes)
      .add(c.restart_inertia)
      .add(std::vector<double>{c.best_inertia})
      .hex();
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
    h5::write_string_array_attribute(file, kChecksum, {checksum_of(c)});
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

bool is_kseg_checkpoint(const std::string& path) {
  try {
    const h5::Id file = h5::open_serial(path);  // refuses what is not a regular HDF5 file
    return h5::read_string_array_attribute(file, kIdentity, path).size() == 1;
  } catch (const Error&) {
    return false;
  }
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
    c.restart = s[0], c.iteration = s[1], c.best_restart = s[2], c.best_iterations = s[3], c.best_converged = s[4];
    c.centroids = h5::read_small<float>(file, "/centroids", H5T_NATIVE_FLOAT, path);
    c.best_centroids = h5::read_small<float>(file, "/best_centroids", H5T_NATIVE_FLOAT, path);
    c.best_sizes = h5::read_small<int64_t>(file, "/best_sizes", H5T_NATIVE_INT64, path);
    c.restart_inertia = h5::read_small<double>(file, "/restart_inertia", H5T_NATIVE_DOUBLE, path);
    const std::vector<double> best_inertia = h5::read_small<double>(file, "/best_inertia", H5T_NATIVE_DOUBLE, path);
    if (best_inertia.size() != 1) return refuse("not a kseg checkpoint (best_inertia)");
    c.best_inertia = best_inertia[0];
    if (h5::read_string_array_attribute(file, kChecksum, path) != std::vector<std::string>{checksum_of(c)})
      return refuse("its content does not match its checksum: the file is corrupt (or not written by kseg)");
    return c;
  } catch (const IoError& e) {
    return refuse(std::string("unreadable checkpoint: ") + e.what());
  } catch (const std::bad_alloc&) {
    return refuse("unreadable checkpoint: a dataset claims more elements than fit in memory (corrupt?)");
  }
}

}  // namespace kseg

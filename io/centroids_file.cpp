#include "io/centroids_file.hpp"

#include "common/errors.hpp"
#include "io/hdf5.hpp"

namespace kseg {

std::vector<float> read_centroids_file(const std::string& path, int k, int d) {
  h5::Id file = h5::open_serial(path);
  h5::Id dataset = h5::open_dataset(file, "/centroids", path);
  const std::vector<hsize_t> dims = h5::dataset_dims(dataset);
  if (dims.size() != 2 || dims[0] != static_cast<hsize_t>(k) || dims[1] != static_cast<hsize_t>(d))
    refuse(path + ":/centroids must be [" + std::to_string(k) + ", " + std::to_string(d) + "]");
  std::vector<float> centroids(static_cast<std::size_t>(k) * d);
  h5::read_whole(dataset, H5T_NATIVE_FLOAT, centroids.data(), path + ":/centroids");
  return centroids;
}

}  // namespace kseg

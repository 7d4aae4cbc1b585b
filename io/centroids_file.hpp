#pragma once

#include <string>
#include <vector>

namespace kseg {

/// `/centroids` [k, d] float32 from a small HDF5 file (a benchmark's fixed start), read by this
/// process alone; InputError naming the file when its shape is not [k, d].
std::vector<float> read_centroids_file(const std::string& path, int k, int d);

}  // namespace kseg

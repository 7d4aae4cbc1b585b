#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/communicator.hpp"
#include "io/hdf5.hpp"
#include "io/row_partition.hpp"

namespace kseg {

/// What a run writes (DESIGN.md, HDF5 layout "Results").
struct ResultContent {
  int64_t total_rows = 0;
  RowBlock block;                        ///< this rank's rows
  const int64_t* customer_id = nullptr;  ///< block.count values
  const int32_t* segment = nullptr;
  const float* distance = nullptr;  ///< Euclidean distance to the segment's centroid
  std::vector<std::pair<std::string, const float*>> customer_columns;  ///< more /segments/<name>, block.count each

  int k = 0;
  int d = 0;
  std::vector<float> centroids;           ///< k × d, in model (transformed) units
  std::vector<float> centroids_original;  ///< k × d, in the features' own units
  std::vector<std::pair<std::string, std::vector<double>>> scaler;  ///< /model/scaler/<name>, d values each
  std::vector<std::string> transforms;                              ///< /model/scaler/steps, per feature
  std::vector<std::string> segment_names, segment_actions;          ///< /model/segment_names, /model/segment_actions
  std::vector<int64_t> segment_size;
  std::vector<std::string> feature_names;
  std::vector<std::pair<std::string, h5::AttributeValue>> attributes;  ///< on the file's root
};

/// Collective: per-customer datasets written with collective parallel I/O, then rank 0 adds
/// the model and attributes. `path` is the partial file of an AtomicOutput.
void write_result_file(const std::string& path, const ResultContent& content, const Communicator& comm);

}  // namespace kseg

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "io/hdf5.hpp"
#include "io/input_file.hpp"
#include "io/row_partition.hpp"
#include "kernels/backend.hpp"

namespace kseg {

/// Where the feature matrix lives in a kseg features file (docs/DESIGN.md, HDF5 layout, Features).
inline constexpr const char* kFeatureMatrix = "/features/matrix";
inline constexpr const char* kFeatureIds = "/features/customer_id";
inline constexpr const char* kTruthSegment = "/truth/segment";
inline constexpr const char* kTruthCenters = "/truth/centers";

/// What `kseg features` records so that `kseg run` on its file models the customers as `run` on the
/// transactions would: the default model features and their transforms, and the CLV inputs' unit
/// and retention period. Attributes of /features/matrix: string arrays model_features,
/// model_transforms, model_time_unit [1], model_period_days [1].
struct ModelDefaults {
  std::vector<std::string> features, transforms;
  std::string time_unit;
  int64_t period_days = 0;
};

/// This rank's block of a features file.
struct FeatureShard {
  std::string path;
  int64_t total_rows = 0;
  RowBlock block;
  int d = 0;
  std::vector<int64_t> customer_id;  ///< block.count
  std::vector<float> matrix;         ///< block.count × d, row-major
  std::vector<std::string> feature_names;
  std::optional<ModelDefaults> defaults;  ///< recorded by `kseg features`; none in other files

  ShardView view() const { return {matrix.data(), block.count, d}; }
};

/// Collective: each rank reads its row block with collective parallel HDF5 I/O. Validates the
/// layout, the dtypes, the row counts, the rank count and every value (NaN/Inf are refused with
/// the first bad row); each failure is an InputError naming the file and dataset, raised on
/// every rank alike.
FeatureShard read_feature_shard(const InputFile& input);
/// The same, opening `path` for it.
FeatureShard read_feature_shard(const std::string& path, const Communicator& comm);

/// Layout of a features file to be written.
struct FeatureFileSpec {
  int64_t rows = 0;
  int d = 0;
  std::vector<std::string> feature_names;
  int truth_segments = 0;  ///< > 0: also /truth/segment [rows] and /truth/centers [k, d]
  std::vector<std::pair<std::string, h5::AttributeValue>> attributes;  ///< on /features
  std::optional<ModelDefaults> defaults;  ///< written as attributes of /features/matrix
};

/// Collective writer of a features file; rows are written in blocks by each rank.
class FeatureFileWriter {
 public:
  FeatureFileWriter(const std::string& path, const FeatureFileSpec& spec, const Communicator& comm);
  ~FeatureFileWriter();
  /// Collective: rows [first, first + count) of this rank; truth may be null when not requested.
  void write_rows(int64_t first, int64_t count, const int64_t* ids, const float* x, const int32_t* truth);
  /// Collective: closes the parallel file, then rank 0 adds names and truth centers.
  void finish(const std::vector<float>& truth_centers);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kseg

#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "customers/customer_rfm.hpp"
#include "customers/holdout_validation.hpp"
#include "customers/quarter_comparison.hpp"
#include "common/communicator.hpp"
#include "io/hdf5.hpp"
#include "io/row_partition.hpp"

namespace kseg {

/// The fitted transforms as stored in /model/scaler (customers/transforms.hpp's Scaler, in the file's terms).
struct SavedScaler {
  std::vector<std::string> steps;  ///< per feature, e.g. "log1p+standardize"
  std::vector<double> clip_low, clip_high, center, scale;
  std::vector<double> fill;  ///< /model/scaler/fill: what an unknown value becomes (NaN in results before it)
};

/// What a run writes (docs/DESIGN.md, HDF5 layout, Results).
struct ResultContent {
  int64_t total_rows = 0;
  RowBlock block;                        ///< this rank's rows
  const int64_t* customer_id = nullptr;  ///< block.count values
  const int32_t* segment = nullptr;  ///< stable segment ids (segment_ids' values)
  const float* distance = nullptr;  ///< Euclidean distance to the segment's centroid
  std::vector<std::pair<std::string, const float*>> customer_columns;  ///< more /segments/<name>, block.count each
  const int8_t* out_of_envelope = nullptr;  ///< /segments/out_of_envelope, when there is an envelope

  int k = 0;
  int d = 0;
  std::vector<float> centroids;           ///< k × d, in model (transformed) units
  std::vector<float> centroids_original;  ///< k × d, in the features' own units
  SavedScaler scaler;                                               ///< /model/scaler
  std::vector<std::string> segment_names, segment_actions;          ///< /model/segment_names, /model/segment_actions
  std::vector<int64_t> segment_size;
  std::vector<int32_t> segment_ids;  ///< /model/segment_ids: the stable id of each centroid row
  std::vector<double> distance_envelope;  ///< /model/distance_envelope: per row, the fit-time envelope
  std::vector<std::string> segment_status;  ///< /model/segment_status: "matched" / "new segment"; empty without --previous
  const QuarterComparison* comparison = nullptr;  ///< /migration and /drift, with --previous
  const HoldoutValidation* validation = nullptr;
  const CustomerRfm* rfm = nullptr;  ///< /segments/{r,f,m}_score (int8) and rfm_segment (int32, attribute labels)  ///< /validation, when the transactions go on past the as-of date
  std::vector<std::string> feature_names;
  std::vector<std::pair<std::string, h5::AttributeValue>> attributes;  ///< on the file's root
};

/// Collective: per-customer datasets written with collective parallel I/O, then rank 0 adds
/// the model and attributes. `path` is the partial file of an AtomicOutput.
void write_result_file(const std::string& path, const ResultContent& content, const Communicator& comm);

/// The model of a result file: what `kseg assign` scores with and `kseg run --previous` compares to.
struct SavedModel {
  std::string path;
  int k = 0, d = 0;
  std::vector<std::string> feature_names;
  SavedScaler scaler;
  std::vector<float> centroids, centroids_original;  ///< k × d
  std::vector<int32_t> segment_ids;                  ///< 0..k−1 for files written before stable ids
  std::vector<std::string> segment_names, segment_actions;
  std::vector<int64_t> segment_size;
  std::vector<double> distance_envelope;  ///< per centroid row; empty in results written before it
  std::string segments_from = "kmeans";  ///< root attribute segments_from: "kmeans" or "rfm" (the RFM classes)
};

/// Every rank reads the model part of a result file. InputError (all ranks) naming the file and
/// dataset when it is not a kseg result or its parts disagree in size.
SavedModel read_saved_model(const std::string& path);

/// This rank's row block of a result's customers: /segments/customer_id and segment, and the
/// customers' monetary value where the result stored it (else empty).
struct SavedSegments {
  std::vector<int64_t> customer_id;
  std::vector<int32_t> segment;
  std::vector<float> monetary;
};

/// Collective read of /segments.
SavedSegments read_saved_segments(const std::string& path, const Communicator& comm);

}  // namespace kseg

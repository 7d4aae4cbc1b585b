#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cluster/lloyd.hpp"
#include "customers/quarter_comparison.hpp"
#include "customers/transforms.hpp"
#include "common/communicator.hpp"
#include "io/result_file.hpp"

namespace kseg {

/// `kseg run --previous`: last quarter's result to carry segment ids and names over from.
struct PreviousOptions {
  std::string path;         ///< --previous RESULT.h5; empty: none
  bool warm_start = false;  ///< --warm-start: Lloyd starts from last quarter's centroids
  ComparisonParams comparison;
};

/// Last quarter's model, its centroids put through this quarter's transforms.
struct PreviousQuarter {
  SavedModel model;
  std::vector<float> centroids;  ///< k × d in this quarter's model units
};

/// Every rank reads the previous model; InputError when its features differ from this quarter's.
PreviousQuarter load_previous_quarter(const std::string& path, const std::vector<std::string>& features,
                                      const Scaler& scaler);

/// A fit that starts at last quarter's centroids instead of an initialisation (one restart).
ResumePoint warm_start_point(const PreviousQuarter& previous);

/// This quarter's customers on this rank, as the migration matrix joins them.
struct QuarterCustomers {
  const int64_t* customer_id = nullptr;
  const int32_t* segment = nullptr;  ///< stable ids
  const float* monetary = nullptr;   ///< null when the model has no monetary feature
  int64_t n = 0;
};

/// Collective: migration (distributed join with last quarter's /segments) and drift.
QuarterComparison compare_with_previous(const PreviousQuarter& previous, const SegmentMatch& match,
                                        const QuarterCustomers& customers, const std::vector<int64_t>& sizes,
                                        const ComparisonParams& params, const Communicator& comm);

}  // namespace kseg

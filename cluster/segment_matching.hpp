#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

/// This quarter's segments against last quarter's (rows: centroid rows of each model).
struct SegmentMatch {
  std::vector<int32_t> previous_ids;        ///< stable ids of last quarter's segments
  std::vector<std::string> previous_names;  ///< their names
  std::vector<int> previous_row;            ///< per current segment: its match's row, −1 for a new segment
  std::vector<int> paired_row;              ///< per current segment: the Hungarian pair, within the threshold or not (−1: none)
  std::vector<double> distance;             ///< per current segment: distance to that pair (model units), NaN when none
  std::vector<int32_t> ids;                 ///< per current segment: its stable id (the match's, or a new one)
  std::vector<int32_t> vanished;            ///< previous ids that no current segment matched
};

/// Matches this quarter's segments to last quarter's by the smallest total distance between
/// centroids (Hungarian algorithm), both k × d in this quarter's model units (last quarter's
/// centroids in original units put through this quarter's transforms). A pair further apart than
/// `match_threshold` is no match: that segment gets a new id, above every previous id, in row order.
SegmentMatch match_segments(const std::vector<float>& previous, const std::vector<int32_t>& previous_ids,
                            const std::vector<std::string>& previous_names, const std::vector<float>& current, int d,
                            double match_threshold);

}  // namespace kseg

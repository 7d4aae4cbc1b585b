#include "customers/segment_fit.hpp"

#include <cmath>

#include "customers/transforms.hpp"

namespace kseg {

std::vector<double> distance_envelope(const Assignment& a, const std::vector<float>& distance, int k,
                                      const Communicator& comm) {
  std::vector<std::vector<float>> by_segment(k);
  for (std::size_t i = 0; i < distance.size(); ++i) by_segment[a.row[i]].push_back(distance[i]);
  std::vector<double> envelope(k, 0.0);
  for (int c = 0; c < k; ++c) {
    const std::vector<float>& mine = by_segment[c];
    if (a.sizes[c] > 0)
      envelope[c] = global_quantile(mine.data(), static_cast<int64_t>(mine.size()), 1, 0, kEnvelopeQuantile, comm);
  }
  return envelope;
}

SegmentFit segment_fit(const Assignment& a, const std::vector<float>& distance, const std::vector<double>& envelope,
                       const Communicator& comm) {
  const std::size_t n = distance.size();
  SegmentFit fit{std::vector<float>(n), std::vector<int8_t>(n, 0), 0};
  int64_t outside = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float second = a.sizes.size() > 1 ? std::sqrt(a.runner_up_squared_distance[i]) : NAN;
    fit.margin[i] = second - distance[i];
    fit.out_of_envelope[i] = !envelope.empty() && distance[i] > envelope[a.row[i]];
    outside += fit.out_of_envelope[i];
  }
  fit.outside = comm.sum(outside);
  return fit;
}

}  // namespace kseg

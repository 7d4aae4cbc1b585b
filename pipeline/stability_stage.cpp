#include "pipeline/stability_stage.hpp"

#include <algorithm>
#include <memory>

#include "cluster/init.hpp"
#include "cluster/predict.hpp"
#include "common/number_text.hpp"
#include "common/stop_request.hpp"
#include "kernels/philox.hpp"
#include "pipeline/device_choice.hpp"

namespace kseg {
namespace {

// The customers of resample b: their rows of the model matrix, ids and segments in the run.
struct Resample {
  std::vector<float> matrix;
  std::vector<int64_t> id;
  std::vector<int32_t> row;  ///< the run's centroid row of each
};

Resample draw_resample(const FeatureShard& shard, const Assignment& run, uint64_t seed, int b) {
  Resample r;
  const std::size_t d = static_cast<std::size_t>(shard.d);
  const uint32_t stream = random_stream(0, RandomPurpose::stability_sample);
  for (int64_t i = 0; i < shard.block.count; ++i) {
    if (Philox::uniform(seed, shard.customer_id[i], stream, static_cast<uint32_t>(b)) >= kStabilitySampleShare) continue;
    r.matrix.insert(r.matrix.end(), &shard.matrix[i * d], &shard.matrix[(i + 1) * d]);
    r.id.push_back(shard.customer_id[i]);
    r.row.push_back(run.row[i]);
  }
  return r;
}

}  // namespace

SegmentStability stability_stage(const RunParams& p, const ModelInputs& inputs, const FitOutcome& fitted,
                                 const SegmentedCustomers& customers, bool cuda, const Communicator& comm,
                                 const Logger& log) {
  const int k = fitted.fit.k;
  SegmentStability out{p.stability_resamples, std::vector<double>(k, 0.0)};
  FitObserver quiet;
  for (int b = 1; b <= p.stability_resamples; ++b) {
    const Resample r = draw_resample(inputs.shard, customers.assignment, fitted.params.seed, b);
    KMeansParams params = fitted.params;
    params.seed += static_cast<uint64_t>(b);
    const std::unique_ptr<ShardOnDevice> device =
        load_on_device({r.matrix.data(), static_cast<int64_t>(r.id.size()), inputs.shard.d}, r.id.data(), cuda,
                       p.device, comm);
    const KMeansResult refit = fit_kmeans(device->context(), params, quiet);
    const Assignment refit_rows = predict(device->context(), refit.centroids, k);
    const std::vector<double> jaccard = best_jaccard(r.row, refit_rows.row, k, comm);
    for (int s = 0; s < k; ++s) out.jaccard[s] += jaccard[s] / p.stability_resamples;
    log.line("stability resample ", b, "/", p.stability_resamples, " of ", with_thousands(comm.sum(int64_t(r.id.size()))),
             " customers: lowest Jaccard ", fixed_decimals(*std::min_element(jaccard.begin(), jaccard.end()), 3));
    stop_if_requested(comm, "measuring the segments' stability");
  }
  for (int s = 0; s < k; ++s)
    log.line("stability segment ", customers.order.ids[s], ": mean Jaccard ", fixed_decimals(out.jaccard[s], 3), " (",
             stability_reading(out.jaccard[s]), ")");
  return out;
}

}  // namespace kseg

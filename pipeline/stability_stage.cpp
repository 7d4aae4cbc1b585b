#include "pipeline/stability_stage.hpp"

#include <algorithm>
#include <memory>

#include "cluster/customer_sample.hpp"
#include "cluster/init.hpp"
#include "cluster/predict.hpp"
#include "common/number_text.hpp"
#include "common/stop_request.hpp"
#include "pipeline/device_choice.hpp"

namespace kseg {
namespace {

// The customers of resample b, and each one's segment (centroid row) in the run.
struct Resample {
  CustomerSample customers;
  std::vector<int32_t> row;
};

Resample draw_resample(const FeatureShard& shard, const Assignment& run, uint64_t seed, int b) {
  Resample r{draw_customer_sample(shard.view(), shard.customer_id.data(), seed,
                                  random_stream(0, RandomPurpose::stability_sample), static_cast<uint32_t>(b),
                                  kStabilitySampleShare),
             {}};
  for (int64_t i : r.customers.origin) r.row.push_back(run.row[i]);
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
        load_on_device(r.customers.view(), r.customers.ids.data(), cuda, p.device, comm);
    const KMeansResult refit = fit_kmeans(device->context(), params, quiet);
    const Assignment refit_rows = predict(device->context(), refit.centroids, k);
    const std::vector<double> jaccard = best_jaccard(r.row, refit_rows.row, k, comm);
    for (int s = 0; s < k; ++s) out.jaccard[s] += jaccard[s] / p.stability_resamples;
    log.line("stability resample ", b, "/", p.stability_resamples, " of ", with_thousands(comm.sum(int64_t(r.customers.ids.size()))),
             " customers: lowest Jaccard ", fixed_decimals(*std::min_element(jaccard.begin(), jaccard.end()), 3));
    stop_if_requested(comm, "measuring the segments' stability");
  }
  for (int s = 0; s < k; ++s)
    log.line("stability segment ", customers.order.ids[s], ": mean Jaccard ", fixed_decimals(out.jaccard[s], 3), " (",
             stability_reading(out.jaccard[s]), ")");
  return out;
}

}  // namespace kseg

#include "cluster/fit_context.hpp"

#include "common/stop_request.hpp"

namespace kseg {

ShardOnDevice::ShardOnDevice(const ShardView& view, const int64_t* ids, std::unique_ptr<Backend> backend,
                             const Communicator& comm)
    : view_(view), ids_(ids), summary_(summarize(view, ids, comm)), backend_(std::move(backend)), comm_(comm) {
  stop_if_requested(comm, "summarizing the features");
  refuse_unless_float_distances(summary_);
  backend_->load_shard(view_);
}

}  // namespace kseg

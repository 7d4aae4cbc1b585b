#include "cluster/fit_context.hpp"

namespace kseg {

ShardOnDevice::ShardOnDevice(const ShardView& view, const int64_t* ids, std::unique_ptr<Backend> backend,
                             const Communicator& comm, const std::string& during)
    : view_(view), ids_(ids), summary_(summarize(view, ids, comm, during)), backend_(std::move(backend)), comm_(comm) {
  refuse_unless_float_distances(summary_);
  backend_->load_shard(view_);
}

}  // namespace kseg

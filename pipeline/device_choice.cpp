#include "pipeline/device_choice.hpp"

#include <algorithm>
#include <sstream>

#include "common/errors.hpp"

namespace kseg {
namespace {

std::string describe(const DeviceInfo& info, int rank) {
  std::ostringstream text;
  text << "rank " << rank << ": GPU " << info.index << " " << info.name << ", " << (info.total_memory >> 20)
       << " MiB (" << (info.free_memory >> 20) << " free), driver " << info.driver_version / 1000 << "."
       << (info.driver_version % 1000) / 10 << ", runtime " << info.runtime_version / 1000 << "."
       << (info.runtime_version % 1000) / 10;
  return text.str();
}

// Every rank's line, gathered to all (rank 0 prints them).
std::vector<std::string> gather_lines(const std::string& mine, const Communicator& comm) {
  std::vector<std::byte> bytes(mine.size() + 1);
  std::transform(mine.begin(), mine.end(), bytes.begin(), [](char c) { return static_cast<std::byte>(c); });
  const std::vector<std::byte> all = comm.all_gather(bytes);  // NUL-separated
  std::vector<std::string> lines(1);
  for (std::byte b : all) {
    if (b == std::byte{0}) lines.emplace_back();
    else lines.back() += static_cast<char>(b);
  }
  lines.pop_back();
  return lines;
}

}  // namespace

bool use_cuda(const DeviceOptions& o, const Communicator& comm, const Logger& log) {
  if (o.device == "cpu") return false;
  std::string why_none;
  const int devices = cuda_device_count(why_none);
  const bool everyone = !comm.any(devices == 0);
  if (!everyone) {
    const std::vector<std::string> reasons = gather_lines(devices == 0 ? why_none : "", comm);
    int rank = 0;
    while (reasons[rank].empty()) ++rank;
    if (o.device == "cuda")
      throw DeviceError("--device cuda: rank " + std::to_string(rank) + " has no CUDA device (" + reasons[rank] + ")",
                        ErrorScope::all_ranks);
    log.line("device    no CUDA device on rank ", rank, " (", reasons[rank], "): using the CPU backend");
    return false;
  }
  const DeviceInfo info = use_cuda_device(comm.node_local_rank() % devices);
  for (const std::string& line : gather_lines(describe(info, comm.rank()), comm)) log.line("device    ", line);
  return true;
}

std::unique_ptr<ShardOnDevice> load_on_device(const ShardView& view, const int64_t* ids, bool cuda,
                                              const DeviceOptions& o, const Communicator& comm) {
  return std::make_unique<ShardOnDevice>(view, ids, cuda ? make_cuda_backend({o.chunk_points}) : make_cpu_backend(),
                                         comm);
}

}  // namespace kseg

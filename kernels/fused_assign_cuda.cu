// The CUDA backend: the fused assign + accumulate pass on the GPU, bit-identical to the CPU
// backend. Each point's distance is the canonical squared_distance() (no FMA contraction:
// nvcc runs with --fmad=false), ties go to the smaller segment, and sums are the same
// fixed-point integers as on the CPU, added with integer atomics only: exact in any order. Values
// off their grid go, as digits, into per-segment ExactSum limbs with the same integer atomics.
#include <algorithm>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/detail/bounded_point.hpp"
#include "kernels/detail/cuda_check.hpp"
#include "kernels/device.hpp"
#include "kernels/distance.hpp"
#include "kernels/fixed_point.hpp"

namespace kseg {
namespace {

constexpr int kThreads = 256;
constexpr int kTileFloats = 8192;  // centroid floats staged in shared memory at a time (32 KiB)

// Two's-complement 128-bit add from two 64-bit atomics: the carry follows from the low word's
// old value, so concurrent adds stay exact.
__device__ void atomic_add_i128(unsigned long long* slot, __int128 value) {
  const unsigned long long low = static_cast<unsigned long long>(value);
  const unsigned long long high = static_cast<unsigned long long>(value >> 64);
  const unsigned long long old = atomicAdd(&slot[0], low);
  atomicAdd(&slot[1], high + (old + low < old ? 1ull : 0ull));
}

struct PassArgs {
  const float* x;  // chunk rows
  int64_t n;
  int d;
  const float* centroids;
  int k;
  const double* feature_scale;  // null: no sums
  double distance_scale;
  long long* block_sums;              // gridDim × (k·d + k): per-block feature sums then counts
  unsigned long long* inertia;        // 2 words
  long long* off_grid;                // k·d + 1 ExactSums (features, then the inertia), as int64 words
  unsigned long long* off_grid_count; // values added there
  int32_t* labels;                    // nullable, chunk-relative
  float* sq_distances;                // nullable
  float* runner_up_sq;                // nullable
  float* min_sq;                      // nullable: lower_min mode
  // Bounded passes (Backend::assign_bounded); points.label null otherwise. Chunk-relative.
  detail::PointStates points;
  detail::CentroidMotionView motion;  // device pointers; follow_kernel only
  detail::GroupDriftView drift;       // device pointer; follow_kernel with group bounds only
  unsigned long long* counters;       // points moved, points searched
};

constexpr int kExactWords = sizeof(ExactSum) / sizeof(long long);

// An off-grid value into ExactSum `slot`: its digits, each below 2^32, by integer atomics.
__device__ void add_off_grid(const PassArgs& a, int64_t slot, double value) {
  auto* words = reinterpret_cast<unsigned long long*>(a.off_grid + slot * kExactWords);
  int first = 0;
  int64_t chunk[3];
  bool negative = false;
  if (ExactSum::digits_of(value, &first, chunk, &negative)) {
    for (int c = 0; c < 3; ++c)
      atomicAdd(&words[first + c], static_cast<unsigned long long>(negative ? -chunk[c] : chunk[c]));
  } else {
    atomicAdd(&words[ExactSum::kLimbs], 1ull);  // the non_finite count
  }
  atomicAdd(a.off_grid_count, 1ull);
}

// A row into (sign 1) or out of (sign -1) its segment's sums and count.
__device__ void add_row(const PassArgs& a, long long* my_sums, const float* row, int segment, int sign) {
  for (int j = 0; j < a.d; ++j) {
    int64_t q = 0;
    if (GridSum::lands_on_grid(row[j], a.feature_scale[j], &q))
      atomicAdd(reinterpret_cast<unsigned long long*>(&my_sums[segment * a.d + j]), static_cast<unsigned long long>(sign * q));
    else
      add_off_grid(a, static_cast<int64_t>(segment) * a.d + j, sign * row[j]);
  }
  atomicAdd(reinterpret_cast<unsigned long long*>(&my_sums[a.k * a.d + segment]), static_cast<unsigned long long>(sign));
}

// The points of block `blockIdx.x`: at most FixedPoint::kInt64Block, so its int64 sums cannot overflow.
__device__ void block_range(int64_t n, int64_t* begin, int64_t* end) {
  const int64_t per_block = (n + gridDim.x - 1) / gridDim.x;
  *begin = blockIdx.x * per_block;
  *end = min(n, *begin + per_block);
}

__device__ long long* sums_of_block(const PassArgs& a) {
  return a.block_sums ? a.block_sums + static_cast<int64_t>(blockIdx.x) * (a.k * a.d + a.k) : nullptr;
}

__device__ void count_points(const PassArgs& a, unsigned long long moved, unsigned long long searched) {
  if (a.counters && moved) atomicAdd(&a.counters[0], moved);
  if (a.counters && searched) atomicAdd(&a.counters[1], searched);
}

// One pass over the chunk: every block stages the centroids tile by tile in shared memory and
// each thread keeps its point's best distance across tiles. With points.label it is a bounded
// pass's first: every point's segment and bounds are set (and counted as searched).
__global__ void pass_kernel(PassArgs a) {
  __shared__ float tile[kTileFloats];
  int64_t begin = 0, end = 0;
  block_range(a.n, &begin, &end);
  const int per_tile = max(1, kTileFloats / a.d);
  long long* my_sums = sums_of_block(a);
  __int128 inertia = 0;
  unsigned long long searched = 0;
  for (int64_t base = begin; base < end; base += blockDim.x) {
    const int64_t i = base + threadIdx.x;
    const bool mine = i < end;
    const float* row = a.x + i * a.d;
    float best = INFINITY, second = INFINITY;
    int best_c = 0;
    for (int first = 0; first < a.k; first += per_tile) {
      const int count = min(per_tile, a.k - first);
      __syncthreads();
      for (int f = threadIdx.x; f < count * a.d; f += blockDim.x) tile[f] = a.centroids[first * a.d + f];
      __syncthreads();
      if (!mine) continue;
      for (int c = 0; c < count; ++c) {
        const float dist = squared_distance(row, tile + c * a.d, a.d);
        if (dist < best) second = best, best = dist, best_c = first + c;
        else if (dist < second) second = dist;
      }
    }
    if (!mine) continue;
    if (a.points.label) {
      detail::start_point(a.points, i, detail::GroupNearest{best, best_c, second}, a.d);
      ++searched;
    }
    if (a.min_sq) a.min_sq[i] = fminf(a.min_sq[i], best);
    if (a.labels) a.labels[i] = best_c;
    if (a.sq_distances) a.sq_distances[i] = best;
    if (a.runner_up_sq) a.runner_up_sq[i] = second;
    if (!my_sums) continue;
    add_row(a, my_sums, row, best_c, 1);
    if (a.points.label) continue;  // a bounded pass computes no inertia
    int64_t q = 0;
    if (GridSum::lands_on_grid(best, a.distance_scale, &q)) inertia += q;
    else add_off_grid(a, static_cast<int64_t>(a.k) * a.d, best);
  }
  if (my_sums && inertia != 0) atomic_add_i128(a.inertia, inertia);
  count_points(a, 0, searched);
}

// A bounded pass after the first, a thread per point (detail/bounded_point.hpp): the sums change
// by the rows of the points that changed segment alone, so a point its bounds prove costs its
// state (3 words, Hamerly) and not its row.
__global__ void follow_kernel(PassArgs a) {
  int64_t begin = 0, end = 0;
  block_range(a.n, &begin, &end);
  long long* my_sums = sums_of_block(a);
  unsigned long long moved = 0, searched = 0;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
    const float* row = a.x + i * a.d;
    const detail::FollowedPoint point = detail::follow_point(row, a.centroids, a.k, a.d, i, a.motion, a.drift, a.points);
    searched += point.searched > 0;
    if (point.from == point.to) continue;
    ++moved;
    add_row(a, my_sums, row, point.from, -1);
    add_row(a, my_sums, row, point.to, 1);
  }
  count_points(a, moved, searched);
}

// Per entry of k·d + k: the exact sum over blocks, as a 128-bit integer.
__global__ void reduce_blocks_kernel(const long long* block_sums, int blocks, int entries, __int128* totals) {
  const int e = blockIdx.x * blockDim.x + threadIdx.x;
  if (e >= entries) return;
  __int128 sum = 0;
  for (int b = 0; b < blocks; ++b) sum += block_sums[static_cast<int64_t>(b) * entries + e];
  totals[e] = sum;
}

struct DeviceMemory {
  static cudaError_t allocate(void** p, std::size_t bytes) { return cudaMalloc(p, bytes); }
  static void release(void* p) { cudaFree(p); }
};

struct PinnedMemory {  // page-locked host memory: what asynchronous copies need
  static cudaError_t allocate(void** p, std::size_t bytes) { return cudaMallocHost(p, bytes); }
  static void release(void* p) { cudaFreeHost(p); }
};

// A buffer that only grows: reallocated when a larger one is needed, freed at the end.
template <typename T, typename Memory>
struct Buffer {
  T* data = nullptr;
  std::size_t size = 0;
  void ensure(std::size_t count) {
    if (count <= size) return;
    if (data) Memory::release(data);
    data = nullptr;
    size = 0;
    KSEG_CUDA_CHECK(Memory::allocate(reinterpret_cast<void**>(&data), sizeof(T) * count));
    size = count;
  }
  ~Buffer() {
    if (data) Memory::release(data);
  }
};

template <typename T>
using DeviceArray = Buffer<T, DeviceMemory>;
template <typename T>
using PinnedArray = Buffer<T, PinnedMemory>;

// What one stream needs to process a chunk: the rows (streaming only), the per-block sums, the
// chunk's totals on the device and on the host, and per-point outputs.
// Host arrays a pass fills per point, each nullable.
struct PointOutputs {
  int32_t* labels = nullptr;
  float* sq_distances = nullptr;
  float* runner_up_sq = nullptr;
};

struct StreamState {
  cudaStream_t stream = nullptr;
  DeviceArray<float> rows, min_sq, sq, runner_up_sq;
  DeviceArray<int32_t> labels;
  DeviceArray<long long> block_sums;
  DeviceArray<__int128> totals;
  DeviceArray<unsigned long long> inertia, off_grid_count;
  DeviceArray<long long> off_grid;
  PinnedArray<float> staging;
  PinnedArray<__int128> host_totals;
  PinnedArray<unsigned long long> host_inertia, host_off_grid_count;
  bool pending = false;  // a chunk's totals are on their way to host_totals
};

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(const CudaBackendOptions& options) : options_(options) {
    for (StreamState& s : streams_) KSEG_CUDA_CHECK(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking));
    int device = 0;
    KSEG_CUDA_CHECK(cudaGetDevice(&device));
    KSEG_CUDA_CHECK(cudaDeviceGetAttribute(&multiprocessors_, cudaDevAttrMultiProcessorCount, device));
  }
  ~CudaBackend() override {
    for (StreamState& s : streams_)
      if (s.stream) cudaStreamDestroy(s.stream);
  }

  std::string name() const override { return "cuda"; }

  void load_shard(const ShardView& shard) override {
    if (shard.d > kTileFloats)
      throw DeviceError("the CUDA backend handles up to " + std::to_string(kTileFloats) + " features, not " +
                        std::to_string(shard.d) + "; use --device cpu");
    shard_ = shard;
    size_t free_bytes = 0, total_bytes = 0;
    KSEG_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const int64_t row_bytes = static_cast<int64_t>(shard.d) * sizeof(float);
    chunk_ = options_.chunk_points;
    if (chunk_ == 0 && shard.n * row_bytes > static_cast<int64_t>(0.8 * free_bytes))
      chunk_ = std::max<int64_t>(1, static_cast<int64_t>(0.2 * free_bytes) / row_bytes);  // two buffers: 40%
    resident_ = chunk_ == 0;
    if (resident_) {
      chunk_ = std::max<int64_t>(shard.n, 1);
      resident_rows_.ensure(std::max<int64_t>(shard.n * shard.d, 1));
      if (shard.n > 0)
        KSEG_CUDA_CHECK(cudaMemcpy(resident_rows_.data, shard.x, shard.n * row_bytes, cudaMemcpyHostToDevice));
    }
  }

  void assign_and_accumulate(const float* centroids, int k, const Quantization& q, LloydSums* sums, int32_t* labels,
                             float* sq_distances, float* runner_up_sq_distances) override {
    upload_model(centroids, k, q);
    if (sums) sums->reset(k, shard_.d);
    run_chunks(k, sums, {labels, sq_distances, runner_up_sq_distances}, nullptr);
  }

  void lower_min_sq_distances(const float* centroids, int k, float* min_sq_distances) override {
    upload_model(centroids, k, Quantization{std::vector<double>(shard_.d, 1.0), 1.0});
    run_chunks(k, nullptr, {}, min_sq_distances);
  }

  // The first pass of a fit sets every point's segment, bounds and sums; the passes after it
  // change the sums by the rows that changed segment (exact integer sums).
  void assign_bounded(const float* centroids, int k, const Quantization& q, const CentroidMotion* motion,
                      BoundKind kind, LloydSums* sums) override {
    upload_model(centroids, k, q);
    const std::size_t points = static_cast<std::size_t>(std::max<int64_t>(shard_.n, 1));
    const bool fresh = !motion || kind != bounds_.kind || bounds_.label.size < points;
    bounds_.kind = kind;
    bounds_.counters.ensure(2);
    KSEG_CUDA_CHECK(cudaMemset(bounds_.counters.data, 0, 2 * sizeof(unsigned long long)));
    if (fresh) {
      start_bounds(k, kind);
      bounds_.assigned.reset(k, shard_.d);
      run_chunks(k, &bounds_.assigned, {}, nullptr);
    } else {
      follow_motion(*motion);
      LloydSums moves;
      moves.reset(k, shard_.d);
      run_chunks(k, &moves, {}, nullptr);
      bounds_.assigned.add(moves);
    }
    bounds_.pass = BoundsState::Pass::none;
    unsigned long long counters[2] = {0, 0};
    KSEG_CUDA_CHECK(cudaMemcpy(counters, bounds_.counters.data, sizeof counters, cudaMemcpyDeviceToHost));
    bounds_.assigned.moved = static_cast<int64_t>(counters[0]);
    bounds_.assigned.searched = static_cast<int64_t>(counters[1]);
    *sums = bounds_.assigned;
  }

 private:
  // Room for every point's state of `kind`; no point has group bounds yet.
  void start_bounds(int k, BoundKind kind) {
    const std::size_t points = static_cast<std::size_t>(std::max<int64_t>(shard_.n, 1));
    bounds_.label.ensure(points);
    bounds_.upper.ensure(points);
    bounds_.lower.ensure(points);
    bounds_.groups = kind == BoundKind::grouped ? detail::group_count(k) : 0;
    if (bounds_.groups > 0) {
      bounds_.group_lower.ensure(points * bounds_.groups);
      bounds_.stamp.ensure(points);
      bounds_.drift.reset(bounds_.groups);
    }
    bounds_.pass = BoundsState::Pass::start;
  }

  // Before a bounded pass after the first: the centroids' moves, and each group's summed moves.
  void follow_motion(const CentroidMotion& motion) {
    const int k = static_cast<int>(motion.moved.size());
    bounds_.moved.ensure(k);
    bounds_.half_gap.ensure(k);
    KSEG_CUDA_CHECK(cudaMemcpy(bounds_.moved.data, motion.moved.data(), sizeof(double) * k, cudaMemcpyHostToDevice));
    KSEG_CUDA_CHECK(cudaMemcpy(bounds_.half_gap.data, motion.half_gap.data(), sizeof(double) * k, cudaMemcpyHostToDevice));
    bounds_.motion = motion.view();
    bounds_.motion.moved = bounds_.moved.data;
    bounds_.motion.half_gap = bounds_.half_gap.data;
    bounds_.motion.group_moved = nullptr;  // host memory: summed into the drift table instead
    if (bounds_.groups > 0) {
      bounds_.drift.advance(motion.group_moved.data());
      const std::vector<double>& table = bounds_.drift.table();
      bounds_.drift_table.ensure(table.size());
      KSEG_CUDA_CHECK(cudaMemcpy(bounds_.drift_table.data, table.data(), sizeof(double) * table.size(), cudaMemcpyHostToDevice));
    }
    bounds_.pass = BoundsState::Pass::follow;
  }

  void upload_model(const float* centroids, int k, const Quantization& q) {
    centroids_.ensure(static_cast<std::size_t>(k) * shard_.d);
    KSEG_CUDA_CHECK(cudaMemcpy(centroids_.data, centroids, sizeof(float) * k * shard_.d, cudaMemcpyHostToDevice));
    scale_.ensure(shard_.d);
    KSEG_CUDA_CHECK(cudaMemcpy(scale_.data, q.feature_scale.data(), sizeof(double) * shard_.d, cudaMemcpyHostToDevice));
    distance_scale_ = q.distance_scale;
  }

  int blocks_for(int64_t points) const {
    const int64_t at_least = (points + FixedPoint::kInt64Block - 1) / FixedPoint::kInt64Block;
    return static_cast<int>(std::max<int64_t>({1, at_least, std::min<int64_t>(8 * multiprocessors_, (points + kThreads - 1) / kThreads)}));
  }

  // Chunk c goes to stream c % 2: while one stream computes, the other copies its next rows in.
  void run_chunks(int k, LloydSums* sums, const PointOutputs& out, float* min_sq) {
    const int d = shard_.d;
    const int entries = k * d + k;
    for (int64_t first = 0, c = 0; first < shard_.n; first += chunk_, ++c) {
      StreamState& s = streams_[c % 2];
      collect(s, sums);  // the stream's previous chunk is done with its buffers
      const int64_t n = std::min(chunk_, shard_.n - first);
      const float* rows = resident_rows_.data ? resident_rows_.data + first * d : stage_rows(s, first, n);
      const int blocks = blocks_for(n);
      PassArgs a{rows, n, d, centroids_.data, k, sums ? scale_.data : nullptr, distance_scale_};
      if (sums) {
        s.block_sums.ensure(static_cast<std::size_t>(blocks) * entries);
        s.inertia.ensure(2);
        KSEG_CUDA_CHECK(cudaMemsetAsync(s.block_sums.data, 0, sizeof(long long) * blocks * entries, s.stream));
        KSEG_CUDA_CHECK(cudaMemsetAsync(s.inertia.data, 0, 2 * sizeof(unsigned long long), s.stream));
        const std::size_t off_grid_words = (static_cast<std::size_t>(k) * d + 1) * kExactWords;
        s.off_grid.ensure(off_grid_words);
        s.off_grid_count.ensure(1);
        KSEG_CUDA_CHECK(cudaMemsetAsync(s.off_grid.data, 0, sizeof(long long) * off_grid_words, s.stream));
        KSEG_CUDA_CHECK(cudaMemsetAsync(s.off_grid_count.data, 0, sizeof(unsigned long long), s.stream));
        a.block_sums = s.block_sums.data;
        a.inertia = s.inertia.data;
        a.off_grid = s.off_grid.data;
        a.off_grid_count = s.off_grid_count.data;
      }
      if (bounds_.pass != BoundsState::Pass::none) {
        const int groups = bounds_.groups;
        a.points = {bounds_.label.data + first, bounds_.upper.data + first, bounds_.lower.data + first,
                    groups ? bounds_.group_lower.data + first * groups : nullptr, groups ? bounds_.stamp.data + first : nullptr,
                    groups};
        a.motion = bounds_.motion;
        a.drift = {bounds_.drift_table.data, groups ? bounds_.drift.pass() : 0};
        a.counters = bounds_.counters.data;
      }
      if (out.labels) s.labels.ensure(n), a.labels = s.labels.data;
      if (out.sq_distances) s.sq.ensure(n), a.sq_distances = s.sq.data;
      if (out.runner_up_sq) s.runner_up_sq.ensure(n), a.runner_up_sq = s.runner_up_sq.data;
      if (min_sq) {
        s.min_sq.ensure(n);
        KSEG_CUDA_CHECK(cudaMemcpyAsync(s.min_sq.data, min_sq + first, sizeof(float) * n, cudaMemcpyHostToDevice, s.stream));
        a.min_sq = s.min_sq.data;
      }
      if (bounds_.pass == BoundsState::Pass::follow) follow_kernel<<<blocks, kThreads, 0, s.stream>>>(a);
      else pass_kernel<<<blocks, kThreads, 0, s.stream>>>(a);
      KSEG_CUDA_CHECK(cudaGetLastError());
      if (sums) {
        s.totals.ensure(entries);
        reduce_blocks_kernel<<<(entries + kThreads - 1) / kThreads, kThreads, 0, s.stream>>>(s.block_sums.data, blocks,
                                                                                            entries, s.totals.data);
        KSEG_CUDA_CHECK(cudaGetLastError());
        s.host_totals.ensure(entries);
        s.host_inertia.ensure(2);
        KSEG_CUDA_CHECK(cudaMemcpyAsync(s.host_totals.data, s.totals.data, sizeof(__int128) * entries,
                                        cudaMemcpyDeviceToHost, s.stream));
        KSEG_CUDA_CHECK(cudaMemcpyAsync(s.host_inertia.data, s.inertia.data, 2 * sizeof(unsigned long long),
                                        cudaMemcpyDeviceToHost, s.stream));
        s.host_off_grid_count.ensure(1);
        KSEG_CUDA_CHECK(cudaMemcpyAsync(s.host_off_grid_count.data, s.off_grid_count.data, sizeof(unsigned long long),
                                        cudaMemcpyDeviceToHost, s.stream));
        s.pending = true;
      }
      copy_back(s, out.labels, a.labels, first, n);
      copy_back(s, out.sq_distances, a.sq_distances, first, n);
      copy_back(s, out.runner_up_sq, a.runner_up_sq, first, n);
      copy_back(s, min_sq, a.min_sq, first, n);
    }
    for (StreamState& s : streams_) collect(s, sums);
  }

  const float* stage_rows(StreamState& s, int64_t first, int64_t n) {
    const std::size_t floats = static_cast<std::size_t>(n) * shard_.d;
    s.staging.ensure(floats);
    s.rows.ensure(floats);
    std::copy_n(shard_.x + first * shard_.d, floats, s.staging.data);  // pageable → pinned, then async DMA
    KSEG_CUDA_CHECK(cudaMemcpyAsync(s.rows.data, s.staging.data, sizeof(float) * floats, cudaMemcpyHostToDevice, s.stream));
    return s.rows.data;
  }

  template <typename T>
  void copy_back(StreamState& s, T* host, const T* device, int64_t first, int64_t n) {
    if (host) KSEG_CUDA_CHECK(cudaMemcpyAsync(host + first, device, sizeof(T) * n, cudaMemcpyDeviceToHost, s.stream));
  }

  // Waits for the stream and adds its chunk's totals: K·(D+1) integers and the inertia, and the
  // off-grid accumulators when the chunk had any off-grid value.
  void collect(StreamState& s, LloydSums* sums) {
    KSEG_CUDA_CHECK(cudaStreamSynchronize(s.stream));
    if (!s.pending || !sums) return;
    const std::size_t features = sums->feature_sums.size();
    for (std::size_t e = 0; e < features; ++e) sums->feature_sums[e] += s.host_totals.data[e];
    for (int c = 0; c < sums->k; ++c) sums->counts[c] += static_cast<int64_t>(s.host_totals.data[features + c]);
    sums->inertia += static_cast<__int128>((static_cast<unsigned __int128>(s.host_inertia.data[1]) << 64) |
                                           s.host_inertia.data[0]);
    s.pending = false;
    if (s.host_off_grid_count.data[0] == 0) return;
    std::vector<ExactSum> off_grid(sums->inertia_slot() + 1);
    KSEG_CUDA_CHECK(cudaMemcpy(off_grid.data(), s.off_grid.data, sizeof(ExactSum) * off_grid.size(), cudaMemcpyDeviceToHost));
    for (std::size_t slot = 0; slot < off_grid.size(); ++slot) sums->off_grid_at(slot).merge(off_grid[slot]);
  }

  CudaBackendOptions options_;
  ShardView shard_;
  int64_t chunk_ = 0;
  bool resident_ = false;
  int multiprocessors_ = 1;
  DeviceArray<float> resident_rows_, centroids_;
  DeviceArray<double> scale_;
  double distance_scale_ = 1.0;
  StreamState streams_[2];
  struct BoundsState {  // per point, resident for the whole shard: 3 words, and 1 + groups with group bounds
    DeviceArray<int32_t> label, stamp;
    DeviceArray<float> upper, lower, group_lower;
    DeviceArray<double> moved, half_gap, drift_table;
    DeviceArray<unsigned long long> counters;
    detail::CentroidMotionView motion{};
    detail::GroupDrift drift;
    BoundKind kind = BoundKind::hamerly;
    int groups = 0;
    LloydSums assigned;  // the sums of the segments as the last pass left them
    enum class Pass { none, start, follow } pass = Pass::none;  // what run_chunks runs
  } bounds_;
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend(const CudaBackendOptions& options) {
  return std::make_unique<CudaBackend>(options);
}

}  // namespace kseg

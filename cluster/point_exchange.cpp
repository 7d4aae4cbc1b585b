#include "cluster/point_exchange.hpp"

#include <cstring>

namespace kseg {

bool key_then_id_less(const PointRecord& a, const PointRecord& b) {
  return a.key < b.key || (a.key == b.key && a.id < b.id);
}

PointRecord make_record(const ShardView& shard, const int64_t* ids, int64_t row, double key) {
  const float* x = shard.x + row * shard.d;
  return PointRecord{key, ids[row], std::vector<float>(x, x + shard.d)};
}

std::vector<PointRecord> all_gather_points(const Communicator& comm, const std::vector<PointRecord>& local, int d) {
  const std::size_t record_bytes = sizeof(double) + sizeof(int64_t) + sizeof(float) * d;
  std::vector<std::byte> bytes(local.size() * record_bytes);
  std::byte* out = bytes.data();
  for (const PointRecord& r : local) {
    std::memcpy(out, &r.key, sizeof r.key);
    std::memcpy(out + sizeof(double), &r.id, sizeof r.id);
    std::memcpy(out + sizeof(double) + sizeof(int64_t), r.x.data(), sizeof(float) * d);
    out += record_bytes;
  }
  const std::vector<std::byte> gathered = comm.all_gather(bytes);
  std::vector<PointRecord> all(gathered.size() / record_bytes);
  const std::byte* in = gathered.data();
  for (PointRecord& r : all) {
    std::memcpy(&r.key, in, sizeof r.key);
    std::memcpy(&r.id, in + sizeof(double), sizeof r.id);
    r.x.resize(d);
    std::memcpy(r.x.data(), in + sizeof(double) + sizeof(int64_t), sizeof(float) * d);
    in += record_bytes;
  }
  return all;
}

std::vector<float> coordinates(const std::vector<PointRecord>& records, int d) {
  std::vector<float> flat;
  flat.reserve(records.size() * d);
  for (const PointRecord& r : records) flat.insert(flat.end(), r.x.begin(), r.x.end());
  return flat;
}

}  // namespace kseg

#include "common/communicator.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "common/errors.hpp"

namespace kseg {
namespace {

void add_int128(void* in, void* inout, int* len, MPI_Datatype*) {
  const auto* a = static_cast<const int128*>(in);
  auto* b = static_cast<int128*>(inout);
  for (int i = 0; i < *len; ++i) b[i] += a[i];
}

// MPI has no 128-bit integer: a contiguous 16-byte type with an exact, commutative user sum.
struct Int128Sum {
  MPI_Datatype type = MPI_DATATYPE_NULL;
  MPI_Op op = MPI_OP_NULL;
  Int128Sum() {
    KSEG_MPI_CHECK(MPI_Type_contiguous(sizeof(int128), MPI_BYTE, &type));
    KSEG_MPI_CHECK(MPI_Type_commit(&type));
    KSEG_MPI_CHECK(MPI_Op_create(&add_int128, /*commute=*/1, &op));
  }
};

const Int128Sum& int128_sum() {
  static const Int128Sum instance;
  return instance;
}

}  // namespace

void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw MpiError(std::string("MPI call failed: ") + call + ": " + std::string(text, length));
}

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
  KSEG_MPI_CHECK(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
  KSEG_MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
  KSEG_MPI_CHECK(MPI_Comm_size(comm_, &size_));
}

namespace {

// This rank's (index, count) among the ranks of its node. Collective.
std::pair<int, int> node_place(MPI_Comm comm, int rank) {
  MPI_Comm node;
  KSEG_MPI_CHECK(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node));
  int local = 0, size = 0;
  KSEG_MPI_CHECK(MPI_Comm_rank(node, &local));
  KSEG_MPI_CHECK(MPI_Comm_size(node, &size));
  KSEG_MPI_CHECK(MPI_Comm_free(&node));
  return {local, size};
}

}  // namespace

int Communicator::node_local_rank() const { return node_place(comm_, rank_).first; }

int Communicator::node_local_size() const { return node_place(comm_, rank_).second; }

void Communicator::sum(int64_t* values, std::size_t count) const {
  KSEG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(count), MPI_INT64_T, MPI_SUM, comm_));
}

void Communicator::sum(int128* values, std::size_t count) const {
  const Int128Sum& s = int128_sum();
  KSEG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(count), s.type, s.op, comm_));
}

void Communicator::sum(ExactSum* values, std::size_t count) const {
  for (std::size_t i = 0; i < count; ++i) values[i].carry();  // limbs below 2^32: rank totals fit int64
  constexpr std::size_t kWords = sizeof(ExactSum) / sizeof(int64_t);
  sum(reinterpret_cast<int64_t*>(values), count * kWords);
  for (std::size_t i = 0; i < count; ++i) values[i].carry();
}

void Communicator::sum(GridSum* values, std::size_t count) const {
  std::vector<int128> on_grid(count);
  std::vector<ExactSum> off_grid(count);
  for (std::size_t i = 0; i < count; ++i) on_grid[i] = values[i].on_grid, off_grid[i] = values[i].off_grid;
  sum(on_grid.data(), count);
  sum(off_grid.data(), count);
  for (std::size_t i = 0; i < count; ++i) values[i].on_grid = on_grid[i], values[i].off_grid = off_grid[i];
}

int64_t Communicator::sum(int64_t value) const {
  sum(&value, 1);
  return value;
}

int128 Communicator::sum(int128 value) const {
  sum(&value, 1);
  return value;
}

void Communicator::min(double* values, std::size_t count) const {
  KSEG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(count), MPI_DOUBLE, MPI_MIN, comm_));
}

void Communicator::max(double* values, std::size_t count) const {
  KSEG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values, static_cast<int>(count), MPI_DOUBLE, MPI_MAX, comm_));
}

int64_t Communicator::min(int64_t value) const {
  KSEG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT64_T, MPI_MIN, comm_));
  return value;
}

int64_t Communicator::max(int64_t value) const {
  KSEG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT64_T, MPI_MAX, comm_));
  return value;
}

int64_t Communicator::exclusive_prefix_sum(int64_t value) const {
  int64_t below = 0;
  KSEG_MPI_CHECK(MPI_Exscan(&value, &below, 1, MPI_INT64_T, MPI_SUM, comm_));
  return rank_ == 0 ? 0 : below;  // MPI leaves rank 0's result undefined
}

bool Communicator::any(bool flag) const {
  int value = flag ? 1 : 0;
  KSEG_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_LOR, comm_));
  return value != 0;
}

std::vector<std::byte> Communicator::all_gather(const std::vector<std::byte>& local) const {
  int local_bytes = static_cast<int>(local.size());
  std::vector<int> counts(size_), offsets(size_);
  KSEG_MPI_CHECK(MPI_Allgather(&local_bytes, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_));
  int total = 0;
  for (int r = 0; r < size_; ++r) {
    offsets[r] = total;
    total += counts[r];
  }
  std::vector<std::byte> gathered(total);
  KSEG_MPI_CHECK(MPI_Allgatherv(local.data(), local_bytes, MPI_BYTE, gathered.data(), counts.data(),
                                offsets.data(), MPI_BYTE, comm_));
  return gathered;
}

std::vector<int64_t> Communicator::exchange_counts(const std::vector<int64_t>& send_counts) const {
  std::vector<int64_t> recv_counts(size_);
  KSEG_MPI_CHECK(MPI_Alltoall(send_counts.data(), 1, MPI_INT64_T, recv_counts.data(), 1, MPI_INT64_T, comm_));
  return recv_counts;
}

namespace {

// Calls piece(rank, offset, bytes, tag) for each piece of at most 1 GiB (MPI counts are int) of
// the messages laid out back to back, rank by rank.
template <typename Piece>
void for_each_piece(const std::vector<int64_t>& bytes, Piece piece) {
  constexpr int64_t kPiece = int64_t{1} << 30;
  int64_t offset = 0;
  for (std::size_t r = 0; r < bytes.size(); ++r) {
    for (int64_t done = 0, tag = 0; done < bytes[r]; done += kPiece, ++tag)
      piece(static_cast<int>(r), offset + done, static_cast<int>(std::min(kPiece, bytes[r] - done)), static_cast<int>(tag));
    offset += bytes[r];
  }
}

// Where rank r's message starts in messages laid out back to back, rank by rank.
int64_t offset_of(const std::vector<int64_t>& bytes, int r) {
  int64_t offset = 0;
  for (int q = 0; q < r; ++q) offset += bytes[q];
  return offset;
}

}  // namespace

// This rank's own piece is a plain copy (through MPI it would be staged in pieces).
void Communicator::exchange_bytes(const void* send, const std::vector<int64_t>& send_bytes, void* receive,
                                  const std::vector<int64_t>& recv_bytes) const {
  std::vector<MPI_Request> requests;
  for_each_piece(recv_bytes, [&](int rank, int64_t offset, int bytes, int tag) {
    if (rank == rank_) return;
    requests.emplace_back();
    KSEG_MPI_CHECK(MPI_Irecv(static_cast<char*>(receive) + offset, bytes, MPI_BYTE, rank, tag, comm_, &requests.back()));
  });
  for_each_piece(send_bytes, [&](int rank, int64_t offset, int bytes, int tag) {
    if (rank == rank_) return;
    requests.emplace_back();
    KSEG_MPI_CHECK(MPI_Isend(static_cast<const char*>(send) + offset, bytes, MPI_BYTE, rank, tag, comm_, &requests.back()));
  });
  if (send_bytes[rank_] > 0)
    std::memcpy(static_cast<char*>(receive) + offset_of(recv_bytes, rank_),
                static_cast<const char*>(send) + offset_of(send_bytes, rank_), send_bytes[rank_]);
  KSEG_MPI_CHECK(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE));
}

void Communicator::broadcast(void* data, std::size_t bytes, int root) const {
  KSEG_MPI_CHECK(MPI_Bcast(data, static_cast<int>(bytes), MPI_BYTE, root, comm_));
}

std::string Communicator::broadcast_string(const std::string& text, int root) const {
  uint64_t length = text.size();
  broadcast(&length, sizeof length, root);
  std::string received = rank_ == root ? text : std::string(length, '\0');
  if (length > 0) broadcast(received.data(), length, root);
  return received;
}

void Communicator::barrier() const { KSEG_MPI_CHECK(MPI_Barrier(comm_)); }

}  // namespace kseg

#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/exact_sum.hpp"
#include "common/huge_pages.hpp"
#include "common/int128.hpp"

namespace kseg {

/// The few collective operations the algorithms need, each an MPI call whose return code is
/// checked. Algorithms talk to this class only, never to MPI directly.
class Communicator {
 public:
  /// Wraps `comm`; its error handler is set to return codes so that failures become exceptions.
  explicit Communicator(MPI_Comm comm);

  MPI_Comm native() const { return comm_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  /// This rank's index among the ranks on its node (an MPI shared-memory split): which GPU it binds.
  int node_local_rank() const;
  /// How many ranks share this rank's node (the same split).
  int node_local_size() const;

  void sum(int64_t* values, std::size_t count) const;
  void sum(int128* values, std::size_t count) const;
  int64_t sum(int64_t value) const;
  int128 sum(int128 value) const;
  /// Exact sums over the ranks: the same totals on every rank, whatever the split.
  void sum(ExactSum* values, std::size_t count) const;
  void sum(GridSum* values, std::size_t count) const;
  void min(double* values, std::size_t count) const;
  void max(double* values, std::size_t count) const;
  int64_t min(int64_t value) const;
  int64_t max(int64_t value) const;
  /// Sum of `value` over the ranks below this one (0 on rank 0): where this rank's rows start.
  int64_t exclusive_prefix_sum(int64_t value) const;
  /// True on every rank when `flag` is true on at least one.
  bool any(bool flag) const;

  /// Every rank's bytes, concatenated in rank order, on every rank.
  std::vector<std::byte> all_gather(const std::vector<std::byte>& local) const;
  /// The same for values of a trivially copyable type.
  template <typename T>
  std::vector<T> all_gather_values(const std::vector<T>& local) const {
    std::vector<std::byte> bytes(local.size() * sizeof(T));
    std::memcpy(bytes.data(), local.data(), bytes.size());
    const std::vector<std::byte> gathered = all_gather(bytes);
    std::vector<T> all(gathered.size() / sizeof(T));
    std::memcpy(all.data(), gathered.data(), gathered.size());
    return all;
  }
  /// Personalised exchange: send_counts[r] elements of `send` (packed in rank order) go to rank
  /// r; returns what every rank sent here, in rank order. Sizes are 64-bit: messages travel in
  /// pieces of at most 1 GiB, straight between the vectors, with no staging copies.
  template <typename T>
  std::vector<T> all_to_all(const std::vector<T>& send, const std::vector<int64_t>& send_counts) const {
    std::vector<T> received;
    all_to_all(send.data(), send_counts, received);
    return received;
  }
  /// The same exchange into `received`, which is resized and keeps its memory where it can (so
  /// that a caller done with a vector's contents can receive into its pages).
  template <typename T>
  void all_to_all(const T* send, const std::vector<int64_t>& send_counts, std::vector<T>& received) const {
    std::vector<int64_t> send_bytes(send_counts), recv_bytes = exchange_counts(send_counts);
    for (int64_t& c : send_bytes) c *= static_cast<int64_t>(sizeof(T));
    int64_t total = 0;
    for (int64_t& c : recv_bytes) total += c, c *= static_cast<int64_t>(sizeof(T));
    resize_on_huge_pages(received, total);
    exchange_bytes(send, send_bytes, received.data(), recv_bytes);
  }
  void broadcast(void* data, std::size_t bytes, int root) const;
  /// `text` of rank `root`, on every rank (the argument is ignored elsewhere).
  std::string broadcast_string(const std::string& text, int root) const;
  void barrier() const;

 private:
  std::vector<int64_t> exchange_counts(const std::vector<int64_t>& send_counts) const;
  void exchange_bytes(const void* send, const std::vector<int64_t>& send_bytes, void* receive,
                      const std::vector<int64_t>& recv_bytes) const;

  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
};

/// Throws MpiError naming the call when an MPI function does not return MPI_SUCCESS.
void check_mpi(int code, const char* call);

#define KSEG_MPI_CHECK(call) ::kseg::check_mpi((call), #call)

}  // namespace kseg

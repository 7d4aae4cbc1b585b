#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/communicator.hpp"

namespace kseg::h5 {

/// Owns an HDF5 identifier and closes it with the matching H5?close. Creating one from a
/// negative id throws IoError with `what`.
class Id {
 public:
  using Closer = herr_t (*)(hid_t);
  Id() = default;
  Id(hid_t id, Closer closer, const std::string& what);
  Id(Id&& other) noexcept;
  Id& operator=(Id&& other) noexcept;
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id();
  operator hid_t() const { return id_; }
  /// Closes now, checking the result (closing a file flushes it: errors must not pass silently).
  void close(const std::string& what);

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Throws IoError("<what>") when an HDF5 call returned a negative status.
void check(herr_t status, const std::string& what);

/// Turns off HDF5's own error-stack printing; kseg reports errors itself, one line each.
/// Called first thing in main: HDF5's own error printing is off (kseg reports errors itself), and
/// so is its exit handler: kseg calls close_library() itself after a run that succeeded. (Parallel
/// HDF5 also closes itself in MPI_Finalize, which crashes on a file whose writes failed: main
/// skips MPI_Finalize after an I/O error.)
void take_over_library();

/// Closes HDF5 while MPI is still up (see take_over_library).
void close_library();

Id open_parallel(const std::string& path, const Communicator& comm);
Id create_parallel(const std::string& path, const Communicator& comm);
/// Creates a file for this process alone, in HDF5's 1.8 format (read by any HDF5 of the last 15
/// years, h5py included): what dense attributes (create_extendible_dataset) need.
Id create_serial_v18(const std::string& path);
/// Opens an existing file for collective writing (to add groups after a writer has finished).
Id open_parallel_for_write(const std::string& path, const Communicator& comm);
Id open_serial_for_write(const std::string& path);
/// Opens an existing file for this process alone, new objects in HDF5's 1.8 format (as create_serial_v18).
Id open_serial_v18_for_write(const std::string& path);
/// Opens a file read-only in this process alone (small model data every rank reads itself);
/// InputError (all ranks) naming the file when it is not a readable HDF5 file.
Id open_serial(const std::string& path);

bool link_exists(hid_t file, const std::string& path);
Id create_group(hid_t file, const std::string& path);
/// A contiguous dataset of `dims` elements of `type`.
Id create_dataset(hid_t parent, const std::string& path, hid_t type, const std::vector<hsize_t>& dims);
Id open_dataset(hid_t file, const std::string& path, const std::string& file_name);
std::vector<hsize_t> dataset_dims(hid_t dataset);
/// Refuses (InputError on every rank) a contiguous dataset whose stored bytes cannot hold the
/// `elements` its shape claims: a truncated or corrupt file must not make a rank allocate them.
void expect_stored(hid_t dataset, int64_t elements, const std::string& where);

/// Collective write/read of rows [first, first + count) of a dataset with `columns` values per
/// row (1 for a 1-D dataset). Every rank calls it, a rank with count 0 too.
/// Large blocks go in several collective calls of at most 512 MiB per rank (MPI-IO counts are
/// 32-bit), the same number of calls on every rank.
void write_rows(const Communicator& comm, hid_t dataset, hid_t mem_type, int64_t first, int64_t count,
                int64_t columns, const void* data, const std::string& what);
void read_rows(const Communicator& comm, hid_t dataset, hid_t mem_type, int64_t first, int64_t count,
               int64_t columns, void* data, const std::string& what);

/// A 1-D dataset of no rows that append_rows extends, stored in chunks of `chunk_rows`.
Id create_extendible_dataset(hid_t parent, const std::string& name, hid_t type, hsize_t chunk_rows,
                             const std::string& what);
/// One process: `count` values after the last row of an extendible 1-D dataset.
void append_rows(hid_t dataset, hid_t mem_type, int64_t count, const void* data, const std::string& what);

/// Small whole datasets, written by one process on a serially opened file.
void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values);
void write_small(hid_t parent, const std::string& name, hid_t mem_type, const std::vector<hsize_t>& dims,
                 const void* data);

/// Elements of a dataset, all dimensions together.
int64_t element_count(hid_t dataset);
/// Reads a whole dataset into `data` (element_count values of `mem_type`).
void read_whole(hid_t dataset, hid_t mem_type, void* data, const std::string& what);

/// The element count of a dataset kseg reads whole (a model's, a checkpoint's), refused
/// (InputError) when a corrupt shape claims more than such a dataset can hold or than the file
/// stores: the vector for it is never allocated.
int64_t small_element_count(hid_t dataset, const std::string& what);

/// A small dataset, flattened, read by one process; `path` names the file in errors.
template <typename T>
std::vector<T> read_small(hid_t file, const std::string& name, hid_t mem_type, const std::string& path) {
  const Id dataset = open_dataset(file, name, path);
  std::vector<T> values(static_cast<std::size_t>(small_element_count(dataset, path + ":" + name)));
  read_whole(dataset, mem_type, values.data(), path + ":" + name);
  return values;
}
/// Refuses (InputError, every rank) a path that is not an existing regular HDF5 file, without
/// opening it (a FIFO would block the open).
void refuse_unless_hdf5_file(const std::string& path);

/// A 1-D dataset of strings (variable or fixed length).
std::vector<std::string> read_strings(hid_t file, const std::string& name, const std::string& path);

using AttributeValue = std::variant<int64_t, double, std::string>;
void write_attribute(hid_t object, const std::string& name, const AttributeValue& value);
void write_string_array_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values);
/// A string-array attribute (fixed or variable length on disk); empty when absent.
std::vector<std::string> read_string_array_attribute(hid_t object, const std::string& name, const std::string& what);

}  // namespace kseg::h5

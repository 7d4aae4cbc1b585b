#include "io/hdf5.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <filesystem>

#include "common/errors.hpp"
#include "common/stop_request.hpp"
#include "io/detail/stall_watchdog.hpp"

namespace kseg::h5 {

Id::Id(hid_t id, Closer closer, const std::string& what) : id_(id), closer_(closer) {
  if (id_ < 0) throw IoError(what);
}

Id::Id(Id&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = H5I_INVALID_HID; }

Id& Id::operator=(Id&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0) closer_(id_);
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

Id::~Id() {
  // While an exception unwinds, closing could be a collective call (a parallel file) that other
  // ranks never join: the job would hang instead of aborting. The process is about to end, so
  // the identifier is left open.
  if (id_ >= 0 && std::uncaught_exceptions() == 0) closer_(id_);
}

void Id::close(const std::string& what) {
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;
  check(closer_(id), what);
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw IoError(what);
}

void take_over_library() {
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

void close_library() { H5close(); }

namespace {

Id parallel_access(const Communicator& comm) {
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot create an HDF5 file-access property list");
  check(H5Pset_fapl_mpio(fapl, comm.native(), MPI_INFO_NULL), "cannot select MPI-IO for HDF5");
  check(H5Pset_all_coll_metadata_ops(fapl, true), "cannot make HDF5 metadata reads collective");
  check(H5Pset_coll_metadata_write(fapl, true), "cannot make HDF5 metadata writes collective");
  return fapl;
}

Id collective_transfer() {
  Id dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "cannot create an HDF5 transfer property list");
  check(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "cannot request collective HDF5 I/O");
  return dxpl;
}

constexpr int64_t kMaxBytesPerCall = int64_t{512} << 20;
// Reads go in smaller pieces, with a stop point between them: a stop request waits for one piece.
constexpr int64_t kMaxBytesPerRead = int64_t{64} << 20;

// Rows [first, first + rows) of `columns` values in the file's dataspace (none when rows is 0),
// and the memory dataspace that holds them: the one hyperslab every row transfer uses.
Id select_rows(hid_t file_space, int64_t first, int64_t rows, int64_t columns, const std::string& what) {
  const int rank = H5Sget_simple_extent_ndims(file_space);
  hsize_t start[2] = {static_cast<hsize_t>(first), 0};
  hsize_t extent[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(columns)};
  if (rows > 0)
    check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, extent, nullptr), what + ": bad row range");
  else
    check(H5Sselect_none(file_space), what + ": cannot select nothing");
  hsize_t mem_extent[1] = {static_cast<hsize_t>(std::max<int64_t>(rows, 0) * (rank == 2 ? columns : 1))};
  Id mem_space(H5Screate_simple(1, mem_extent, nullptr), H5Sclose, what + ": cannot create a memory dataspace");
  if (rows == 0) check(H5Sselect_none(mem_space), what + ": cannot select nothing");
  return mem_space;
}

// Collective: every rank makes the same number of calls (the largest share sets it).
template <typename Transfer, typename BetweenCalls>
void transfer_rows(const Communicator& comm, hid_t dataset, hid_t mem_type, int64_t first, int64_t count,
                   int64_t columns, int64_t max_bytes_per_call, const std::string& what, Transfer transfer,
                   BetweenCalls between_calls) {
  const int64_t row_bytes = std::max<int64_t>(1, columns * static_cast<int64_t>(H5Tget_size(mem_type)));
  const int64_t rows_per_call = std::max<int64_t>(1, max_bytes_per_call / row_bytes);
  const int64_t calls = std::max<int64_t>(1, (comm.max(count) + rows_per_call - 1) / rows_per_call);
  Id file_space(H5Dget_space(dataset), H5Sclose, what + ": cannot get its dataspace");
  const Id dxpl = collective_transfer();
  for (int64_t call = 0; call < calls; ++call) {
    const int64_t begin = std::min(count, call * rows_per_call);
    const int64_t rows = std::min(count, begin + rows_per_call) - begin;
    const Id mem_space = select_rows(file_space, first + begin, rows, columns, what);
    check(transfer(mem_space, file_space, dxpl, begin * columns), what);
    between_calls();
  }
}

}  // namespace

Id open_parallel(const std::string& path, const Communicator& comm) {
  const Id fapl = parallel_access(comm);
  return Id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), H5Fclose,
            path + ": cannot open as HDF5 (truncated or corrupt file?)");
}

Id create_serial_v18(const std::string& path) {
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path + ": cannot create a file-access property list");
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST), path + ": cannot set the file format");
  return Id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose,
            path + ": cannot create (directory not writable or disk full?)");
}

Id create_parallel(const std::string& path, const Communicator& comm) {
  const Id fapl = parallel_access(comm);
  return Id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose,
            path + ": cannot create (directory missing, not writable, or disk full?)");
}

Id open_parallel_for_write(const std::string& path, const Communicator& comm) {
  const Id fapl = parallel_access(comm);
  return Id(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl), H5Fclose, path + ": cannot reopen to write");
}

Id open_serial_v18_for_write(const std::string& path) {
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path + ": cannot create a file-access property list");
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST), path + ": cannot set the file format");
  return Id(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl), H5Fclose, path + ": cannot open to write");
}

Id open_serial_for_write(const std::string& path) {
  return Id(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose, path + ": cannot reopen to write the model");
}

void refuse_unless_hdf5_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::exists(path, error)) throw InputError(path + ": no such file", ErrorScope::all_ranks);
  if (fs::is_directory(path, error)) throw InputError(path + ": is a directory, expected an HDF5 file", ErrorScope::all_ranks);
  if (!fs::is_regular_file(path, error))
    throw InputError(path + ": is not a regular file (a FIFO or device?), expected an HDF5 file", ErrorScope::all_ranks);
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(path + ": not an HDF5 file (truncated or corrupt?)", ErrorScope::all_ranks);
}

Id open_serial(const std::string& path) {
  refuse_unless_hdf5_file(path);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw InputError(path + ": cannot open as HDF5 (truncated or corrupt file?)", ErrorScope::all_ranks);
  return Id(file, H5Fclose, path);
}

bool link_exists(hid_t file, const std::string& path) {
  // Each prefix must exist before H5Lexists may be asked about the next component.
  std::size_t at = 0;
  while ((at = path.find('/', at + 1)) != std::string::npos)
    if (H5Lexists(file, path.substr(0, at).c_str(), H5P_DEFAULT) <= 0) return false;
  return H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0;
}

Id create_group(hid_t file, const std::string& path) {
  return Id(H5Gcreate2(file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
            "cannot create group " + path);
}

Id create_dataset(hid_t parent, const std::string& path, hid_t type, const std::vector<hsize_t>& dims) {
  Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
           "cannot create dataspace for " + path);
  return Id(H5Dcreate2(parent, path.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
            "cannot create dataset " + path);
}

Id open_dataset(hid_t file, const std::string& path, const std::string& file_name) {
  if (!link_exists(file, path)) throw InputError(file_name + ": missing dataset " + path, ErrorScope::all_ranks);
  return Id(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, file_name + ": cannot open dataset " + path);
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  Id space(H5Dget_space(dataset), H5Sclose, "cannot get a dataspace");
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 0));
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

void expect_stored(hid_t dataset, int64_t elements, const std::string& where) {
  Id plist(H5Dget_create_plist(dataset), H5Pclose, where + ": cannot read its layout");
  if (H5Pget_layout(plist) != H5D_CONTIGUOUS) return;  // chunked data may be compressed or sparse
  Id type(H5Dget_type(dataset), H5Tclose, where + ": cannot read its type");
  const long double needed = static_cast<long double>(elements) * H5Tget_size(type);
  const hsize_t stored = H5Dget_storage_size(dataset);
  if (static_cast<long double>(stored) < needed)
    throw InputError(where + ": its shape claims " + std::to_string(elements) + " values but the file stores " +
                         std::to_string(stored) + " bytes (truncated or corrupt file)",
                     ErrorScope::all_ranks);
}

void write_rows(const Communicator& comm, hid_t dataset, hid_t mem_type, int64_t first, int64_t count,
                int64_t columns, const void* data, const std::string& what) {
  const auto* bytes = static_cast<const char*>(data);
  const std::size_t element = H5Tget_size(mem_type);
  transfer_rows(
      comm, dataset, mem_type, first, count, columns, kMaxBytesPerCall, "cannot write " + what + " (disk full?)",
      [&](hid_t mem, hid_t file, hid_t dxpl, int64_t offset) {
        return H5Dwrite(dataset, mem_type, mem, file, dxpl, bytes ? bytes + offset * element : nullptr);
      },
      [] {});
}

void read_rows(const Communicator& comm, hid_t dataset, hid_t mem_type, int64_t first, int64_t count,
               int64_t columns, void* data, const std::string& what) {
  auto* bytes = static_cast<char*>(data);
  const std::size_t element = H5Tget_size(mem_type);
  transfer_rows(
      comm, dataset, mem_type, first, count, columns, kMaxBytesPerRead, "cannot read " + what,
      [&](hid_t mem, hid_t file, hid_t dxpl, int64_t offset) {
        return H5Dread(dataset, mem_type, mem, file, dxpl, bytes ? bytes + offset * element : nullptr);
      },
      [&] { stop_if_requested(comm, "reading " + what); });
}

Id create_extendible_dataset(hid_t parent, const std::string& name, hid_t type, hsize_t chunk_rows,
                             const std::string& what) {
  const hsize_t empty = 0, unlimited = H5S_UNLIMITED;
  Id space(H5Screate_simple(1, &empty, &unlimited), H5Sclose, what + ": cannot create a dataspace");
  Id properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, what + ": cannot create a property list");
  check(H5Pset_chunk(properties, 1, &chunk_rows), what + ": cannot set the chunk size");
  // Dense attribute storage: a labels attribute of many thousand names passes the 64 KiB that an
  // object header can hold (it needs a file of format 1.8 or later, see create_serial_v18).
  check(H5Pset_attr_phase_change(properties, 0, 0), what + ": cannot ask for dense attributes");
  return Id(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, properties, H5P_DEFAULT), H5Dclose,
            what + ": cannot create");
}

void append_rows(hid_t dataset, hid_t mem_type, int64_t count, const void* data, const std::string& what) {
  const hsize_t first = dataset_dims(dataset).at(0), extent = first + static_cast<hsize_t>(count);
  check(H5Dset_extent(dataset, &extent), what + ": cannot extend (disk full?)");
  Id file_space(H5Dget_space(dataset), H5Sclose, what + ": cannot get its dataspace");
  const Id mem_space = select_rows(file_space, static_cast<int64_t>(first), count, 1, what);
  check(H5Dwrite(dataset, mem_type, mem_space, file_space, H5P_DEFAULT, data), what + ": cannot write (disk full?)");
}

namespace {

Id variable_string_type() {
  Id type(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create a string type");
  check(H5Tset_size(type, H5T_VARIABLE), "cannot make a variable-length string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "cannot set UTF-8 strings");
  return type;
}

std::vector<const char*> c_strings(const std::vector<std::string>& values) {
  std::vector<const char*> pointers;
  for (const std::string& v : values) pointers.push_back(v.c_str());
  return pointers;
}

}  // namespace

void write_strings(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
  const Id type = variable_string_type();
  const std::vector<const char*> pointers = c_strings(values);
  Id dataset = create_dataset(parent, name, type, {static_cast<hsize_t>(values.size())});
  check(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "cannot write " + name);
}

void write_small(hid_t parent, const std::string& name, hid_t mem_type, const std::vector<hsize_t>& dims,
                 const void* data) {
  Id dataset = create_dataset(parent, name, mem_type, dims);
  check(H5Dwrite(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "cannot write " + name);
}

void write_attribute(hid_t object, const std::string& name, const AttributeValue& value) {
  Id space(H5Screate(H5S_SCALAR), H5Sclose, "cannot create a scalar dataspace");
  const std::string what = "cannot write attribute " + name;
  if (const auto* s = std::get_if<std::string>(&value)) {
    const Id type = variable_string_type();
    Id attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
    const char* text = s->c_str();
    check(H5Awrite(attribute, type, &text), what);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    Id attribute(H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
    check(H5Awrite(attribute, H5T_NATIVE_INT64, i), what);
  } else {
    Id attribute(H5Acreate2(object, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
    check(H5Awrite(attribute, H5T_NATIVE_DOUBLE, &std::get<double>(value)), what);
  }
}

void write_string_array_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values) {
  const Id type = variable_string_type();
  const hsize_t count = values.size();
  Id space(H5Screate_simple(1, &count, nullptr), H5Sclose, "cannot create a dataspace");
  const std::string what = "cannot write attribute " + name;
  Id attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
  const std::vector<const char*> pointers = c_strings(values);
  check(H5Awrite(attribute, type, pointers.data()), what);
}

int64_t element_count(hid_t dataset) {
  const Id space(H5Dget_space(dataset), H5Sclose, "cannot read a dataset's shape");
  return static_cast<int64_t>(H5Sget_simple_extent_npoints(space));
}

void read_whole(hid_t dataset, hid_t mem_type, void* data, const std::string& what) {
  check(H5Dread(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), what + ": cannot read");
}

int64_t small_element_count(hid_t dataset, const std::string& what) {
  constexpr int64_t kMostElements = int64_t{1} << 28;  // 1 GiB of floats: far past any model or checkpoint
  const int64_t count = element_count(dataset);
  if (count < 0 || count > kMostElements)
    throw InputError(what + ": claims " + std::to_string(count) + " values, more than kseg writes there (corrupt file?)",
                     ErrorScope::all_ranks);
  expect_stored(dataset, count, what);
  return count;
}

std::vector<std::string> read_strings(hid_t file, const std::string& name, const std::string& path) {
  const std::string what = path + ":" + name;
  const Id dataset = open_dataset(file, name, path);
  const Id file_type(H5Dget_type(dataset), H5Tclose, what + ": cannot read its type");
  if (H5Tget_class(file_type) != H5T_STRING) throw InputError(what + ": must hold strings", ErrorScope::all_ranks);
  const int64_t count = small_element_count(dataset, what);
  std::vector<std::string> values;
  if (H5Tis_variable_str(file_type) > 0) {
    const Id type = variable_string_type();
    const Id space(H5Dget_space(dataset), H5Sclose, what + ": cannot read its shape");
    std::vector<char*> pointers(static_cast<std::size_t>(count));
    const detail::StallGuard guard(what + ": reading its strings");
    read_whole(dataset, type, pointers.data(), what);
    for (char* p : pointers) values.emplace_back(p ? p : "");
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
  } else {
    const std::size_t width = H5Tget_size(file_type);
    std::vector<char> buffer(width * static_cast<std::size_t>(count));
    read_whole(dataset, file_type, buffer.data(), what);
    for (int64_t i = 0; i < count; ++i) values.emplace_back(buffer.data() + i * width, strnlen(buffer.data() + i * width, width));
  }
  return values;
}

std::vector<std::string> read_string_array_attribute(hid_t object, const std::string& name, const std::string& what) {
  if (H5Aexists(object, name.c_str()) <= 0) return {};
  Id attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, what + ": cannot open attribute " + name);
  Id file_type(H5Aget_type(attribute), H5Tclose, what + ": cannot read the type of attribute " + name);
  if (H5Tget_class(file_type) != H5T_STRING)
    throw InputError(what + ": attribute '" + name + "' must hold strings", ErrorScope::all_ranks);
  Id space(H5Aget_space(attribute), H5Sclose, what + ": cannot read attribute " + name);
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  std::vector<std::string> values;
  if (H5Tis_variable_str(file_type) > 0) {
    const Id type = variable_string_type();
    std::vector<char*> pointers(count);
    const detail::StallGuard guard(what + ": reading attribute " + name);
    check(H5Aread(attribute, type, pointers.data()), what + ": cannot read attribute " + name);
    for (char* p : pointers) values.emplace_back(p ? p : "");
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
  } else {
    const std::size_t width = H5Tget_size(file_type);
    std::vector<char> buffer(width * count);
    check(H5Aread(attribute, file_type, buffer.data()), what + ": cannot read attribute " + name);
    for (hssize_t i = 0; i < count; ++i) {
      const char* start = buffer.data() + i * width;
      values.emplace_back(start, strnlen(start, width));
    }
  }
  return values;
}

}  // namespace kseg::h5

#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/hdf5.hpp"
#include "io/import_options.hpp"

// What the importers of order lines and of events share: finding the mapped columns, reading a
// row's customer and time, coding labels, and counting what was skipped.
namespace kseg::import_rows {

inline constexpr int kUnmapped = -1;

/// 0-based field of each mapped column, kUnmapped for the others.
struct FieldIndex {
  int customer = kUnmapped, timestamp = kUnmapped, amount = kUnmapped, quantity = kUnmapped,
      unit_price = kUnmapped, order = kUnmapped, category = kUnmapped, channel = kUnmapped,
      discount = kUnmapped, type = kUnmapped, campaign = kUnmapped;
};

/// What the header (or, without one, the first row) says about every row.
struct FileLayout {
  std::vector<std::string> names;  ///< the header's names, or "column 1", "column 2", ...
  std::size_t fields = 0;          ///< fields every row must have
  FieldIndex index;

  std::string column_name(int field) const { return field == kUnmapped ? "" : names[static_cast<std::size_t>(field)]; }
};

/// Opens the export, throwing InputError naming it when it cannot.
std::ifstream open_export(const ImportOptions& o);

/// Reads the header, if any, and the first data row (left in `first_row`), and finds every mapped
/// column; InputError naming the option and the file when one is not there.
FileLayout read_layout(const ImportOptions& o, CsvReader& reader, CsvRecord& first_row);

/// Why a record cannot be imported, and which field is at fault (kUnmapped: the whole record).
struct Problem {
  SkipReason reason;
  int field;
};

/// The checks every row passes first: its field count, customer id and timestamp.
std::optional<Problem> read_customer_and_time(const CsvRecord& record, const FileLayout& layout,
                                              const ImportOptions& o, int64_t& customer_id, int64_t& timestamp);

/// Counts a skipped row, keeps the first ImportSummary::kSkippedRowsNamed for the summary, and
/// under --strict throws InputError naming its line instead.
void note_skip(ImportSummary& summary, const ImportOptions& o, const FileLayout& layout, const CsvRecord& record,
               const Problem& problem);

/// Throws InputError naming the file and the first skipped row when no row was kept.
void refuse_if_nothing_kept(const ImportOptions& o, const ImportSummary& summary);

/// Rows held between writes: bounds an import's memory whatever the file's size.
inline constexpr std::size_t kRowsPerChunk = std::size_t{1} << 20;

/// The import loop: every data record from `record` on goes to `keep`, which appends it to the
/// caller's chunk or says why not (then it is counted as skipped); whenever chunk_rows() reaches
/// kRowsPerChunk, write_chunk() writes and empties the chunk and progress is reported. The last
/// chunk is written at the end; a file with no row kept is refused.
template <typename Keep, typename ChunkRows, typename WriteChunk>
void stream_records(const ImportOptions& o, const FileLayout& layout, CsvReader& reader, CsvRecord& record,
                    ImportSummary& summary, const ImportProgress& progress, Keep keep, ChunkRows chunk_rows,
                    WriteChunk write_chunk) {
  do {
    ++summary.rows_read;
    if (const std::optional<Problem> problem = keep(record)) {
      note_skip(summary, o, layout, record, *problem);
      continue;
    }
    ++summary.rows_kept;
    if (chunk_rows() == kRowsPerChunk) {
      write_chunk();
      if (progress) progress(summary);
    }
  } while (reader.next(record));
  if (chunk_rows() > 0) write_chunk();
  refuse_if_nothing_kept(o, summary);
}

/// The attributes that record where a table came from: input, rows read, kept and skipped, version, config.
std::vector<std::pair<std::string, h5::AttributeValue>> provenance(const ImportOptions& o, const ImportSummary& s);

/// Codes 0, 1, ... for texts in order of first appearance. More distinct labels than `limit` is a
/// column of ids or free text mapped by mistake; refusing keeps memory bounded whatever the file's size.
class LabelCodes {
 public:
  LabelCodes(std::string column, int32_t limit) : column_(std::move(column)), limit_(static_cast<std::size_t>(limit)) {}

  int32_t code(std::string_view label);
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  std::string column_;
  std::size_t limit_;
  std::unordered_map<std::string, int32_t> codes_;
  std::vector<std::string> labels_;
};

}  // namespace kseg::import_rows

#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace kseg {

/// How the fields of a text export are separated.
struct CsvDialect {
  char delimiter = ',';     ///< field separator of delimited text (',', ';', '\t', ...)
  bool whitespace = false;  ///< runs of spaces and tabs separate fields instead (fixed-width exports)
};

/// One record of a text export: its fields (quotes removed, doubled quotes undone) and the
/// 1-based line on which it starts. Fields are views into the record and valid until the next
/// read.
class CsvRecord {
 public:
  std::size_t size() const { return ends_.size(); }
  std::string_view operator[](std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(text_).substr(begin, ends_[i] - begin);
  }
  int64_t line() const { return line_; }

 private:
  friend class CsvReader;
  std::string text_;               // every field's characters, one after the other
  std::vector<std::size_t> ends_;  // where each field ends in text_
  int64_t line_ = 0;
};

/// Splits a text export into records as it streams by (RFC 4180 quoting: a field that starts
/// with `"` may hold delimiters, line breaks and `""` for a quote). Also takes a UTF-8 byte-order
/// mark, CRLF line ends and blank lines, which it skips. Memory is one buffer plus the longest
/// record, whatever the file's size.
class CsvReader {
 public:
  /// `name` is how errors refer to the input (its file name).
  CsvReader(std::istream& in, std::string name, CsvDialect dialect);

  /// Reads the next non-blank record; false at the end of the input. Throws InputError naming
  /// the line when a quoted field never closes or a record grows beyond kMaxRecordBytes.
  bool next(CsvRecord& record);

  /// A record this long is taken for a runaway quote rather than data, so that a stray `"`
  /// cannot make the reader hold the rest of a huge file in memory.
  static constexpr std::size_t kMaxRecordBytes = std::size_t{16} << 20;

 private:
  int get();
  int peek();
  bool refill();
  bool is_separator(int c) const;
  std::string where(const CsvRecord& record) const;  // "file:line" of the record
  void append(CsvRecord& record, int c) const;       // one character, within kMaxRecordBytes
  void read_quoted(CsvRecord& record);

  std::istream& in_;
  std::string name_;
  CsvDialect dialect_;
  std::vector<char> buffer_;
  std::size_t at_ = 0, end_ = 0;
  int64_t line_ = 1;  // the line the next character is on
};

}  // namespace kseg

#include "io/csv_reader.hpp"

#include <cstdio>

#include "common/errors.hpp"

namespace kseg {
namespace {

constexpr std::size_t kBufferBytes = std::size_t{1} << 20;
constexpr char kQuote = '"';

bool is_blank(int c) { return c == ' ' || c == '\t'; }

bool only_blanks(std::string_view text) {
  return text.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

CsvReader::CsvReader(std::istream& in, std::string name, CsvDialect dialect)
    : in_(in), name_(std::move(name)), dialect_(dialect), buffer_(kBufferBytes) {
  refill();
  // Excel and Windows tools start UTF-8 exports with a byte-order mark; it is not part of the
  // first column's name.
  if (end_ >= 3 && buffer_[0] == '\xEF' && buffer_[1] == '\xBB' && buffer_[2] == '\xBF') at_ = 3;
}

bool CsvReader::refill() {
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (in_.bad()) throw IoError(name_ + ": cannot read (I/O error)");
  at_ = 0;
  end_ = static_cast<std::size_t>(in_.gcount());
  return end_ > 0;
}

int CsvReader::get() {
  if (at_ == end_ && !refill()) return EOF;
  const int c = static_cast<unsigned char>(buffer_[at_++]);
  if (c == '\n' || (c == '\r' && peek() != '\n')) ++line_;  // LF, CRLF and old Mac CR-only line ends
  return c;
}

int CsvReader::peek() {
  if (at_ == end_ && !refill()) return EOF;
  return static_cast<unsigned char>(buffer_[at_]);
}

bool CsvReader::is_separator(int c) const { return dialect_.whitespace ? is_blank(c) : c == dialect_.delimiter; }

std::string CsvReader::where(const CsvRecord& record) const { return name_ + ":" + std::to_string(record.line_); }

void CsvReader::append(CsvRecord& record, int c) const {
  record.text_ += static_cast<char>(c);
  if (record.text_.size() > kMaxRecordBytes)
    throw InputError(where(record) + ": record longer than 16 MiB (a quote that never closes?)");
}

// Called after an opening quote: copies up to the closing quote, undoing doubled quotes.
void CsvReader::read_quoted(CsvRecord& record) {
  for (;;) {
    const int c = get();
    if (c == EOF)
      throw InputError(where(record) + ": a quoted field opened here never closes");
    if (c == kQuote) {
      if (peek() != kQuote) return;
      get();
    } else if (c == '\r' && peek() == '\n') {
      continue;  // a CRLF inside quotes is a line break like any other
    }
    append(record, c);
  }
}

bool CsvReader::next(CsvRecord& record) {
  for (;;) {
    record.text_.clear();
    record.ends_.clear();
    record.line_ = line_;
    std::size_t field_begin = 0;
    bool field_open = false;  // whitespace mode: characters of a field have been seen
    bool content = false;     // the line holds more than spaces and tabs
    int c = EOF;
    while ((c = get()) != EOF && c != '\n') {
      if (c == '\r' && peek() == '\n') continue;
      if (c == '\r') break;  // a line end on its own (CR-only files)
      if (is_separator(c)) {
        if (!dialect_.whitespace || field_open) record.ends_.push_back(record.text_.size());
        field_open = false;
        content = content || !dialect_.whitespace;
        field_begin = record.text_.size();
        continue;
      }
      // A quote opens a quoted field only at the field's start; spaces before it (`a, "b, c"`,
      // common in hand-made exports) are dropped with it.
      if (c == kQuote && only_blanks(std::string_view(record.text_).substr(field_begin))) {
        record.text_.resize(field_begin);
        read_quoted(record);
        field_open = content = true;
        continue;
      }
      append(record, c);
      field_open = field_open || !is_blank(c);
      content = content || !is_blank(c);
    }
    if (content) {
      if (!dialect_.whitespace || field_open) record.ends_.push_back(record.text_.size());
      return true;
    }
    if (c == EOF) return false;
  }
}

}  // namespace kseg

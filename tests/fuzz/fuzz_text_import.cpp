// libFuzzer target: arbitrary bytes through the CSV record splitter and every timestamp format.
// Built with -fsanitize=fuzzer,address,undefined by tests/fuzz/run.sh; any crash, sanitizer
// report or exception other than InputError fails the run.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "common/errors.hpp"
#include "io/csv_reader.hpp"
#include "io/timestamp_parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  kseg::CsvDialect dialect;
  dialect.whitespace = data[0] & 1;
  dialect.delimiter = (data[0] & 2) ? ';' : ',';
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  kseg::CsvReader reader(in, "fuzz", dialect);
  kseg::CsvRecord record;
  try {
    while (reader.next(record))
      for (std::size_t i = 0; i < record.size(); ++i)
        for (const auto& [name, format] : kseg::timestamp_format_names()) kseg::parse_timestamp(record[i], format);
  } catch (const kseg::InputError&) {
    // a runaway quote or an oversized record: reported to the user, not a crash
  }
  return 0;
}

#include "pipeline/import_job.hpp"

#include "common/errors.hpp"
#include "common/number_text.hpp"
#include "io/atomic_output.hpp"

namespace kseg {
namespace {

// The other ranks wait for rank 0's verdict, so that every rank raises the same error and the job
// ends cleanly whatever went wrong.
ImportSummary import_on_root(const ImportOptions& options, const Communicator& comm, const Logger& log) {
  const auto progress = [&log](const ImportSummary& s) {
    log.line("import    ", with_thousands(s.rows_read), " rows read, ", with_thousands(s.rows_kept), " kept");
  };
  ImportSummary summary;
  std::string failure;  // the error's kind ('I' input, 'O' I/O) then its message
  if (comm.is_root()) {
    try {
      summary = import_transactions(options, progress);
    } catch (const InputError& e) {
      failure = std::string("I") + e.what();
    } catch (const IoError& e) {
      failure = std::string("O") + e.what();
    }
  }
  failure = comm.broadcast_string(failure, 0);
  if (failure.empty()) return summary;
  if (failure[0] == 'I') throw InputError(failure.substr(1), ErrorScope::all_ranks);
  throw IoError(failure.substr(1), ErrorScope::all_ranks);
}

void log_summary(const Logger& log, const ImportOptions& o, const std::string& output, const ImportSummary& s) {
  log.line("import    ", o.input, ": ", with_thousands(s.rows_read), " rows read, ", with_thousands(s.rows_kept),
           " kept (", with_thousands(s.returns), " returns, ", with_thousands(s.zero_amount), " with amount 0), ",
           with_thousands(s.skipped_total()), " skipped");
  for (std::size_t r = 0; r < kSkipReasons; ++r)
    if (s.skipped[r] > 0)
      log.line("skipped   ", with_thousands(s.skipped[r]), " ", skip_reason_text(static_cast<SkipReason>(r)));
  for (const SkippedRow& row : s.first_skipped)
    log.line("skipped   line ", row.line, ": ", skip_reason_text(row.reason), " (", row.detail, ")");
  log.line("wrote     ", output, ": ", with_thousands(s.rows_kept), " transactions",
           s.categories ? ", " + with_thousands(s.categories) + " categories" : "",
           s.channels ? ", " + with_thousands(s.channels) + " channels" : "");
}

}  // namespace

ImportSummary import_job(ImportOptions options, const std::string& output, bool force, const Communicator& comm,
                         const Logger& log) {
  AtomicOutput file(output, force, {options.input}, comm);
  options.output = file.partial_path();
  const ImportSummary summary = import_on_root(options, comm, log);
  file.commit();
  log_summary(log, options, output, summary);
  return summary;
}

}  // namespace kseg

#include "pipeline/import_job.hpp"

#include "common/errors.hpp"
#include "common/number_text.hpp"
#include "customers/engagement_features.hpp"
#include "io/atomic_output.hpp"
#include "io/event_file.hpp"
#include "io/event_import.hpp"
#include "io/transaction_import.hpp"

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
      summary = options.table == ImportTable::events ? import_events(options, progress)
                                                     : import_transactions(options, progress);
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

void log_skipped(const Logger& log, const ImportSummary& s) {
  for (std::size_t r = 0; r < kSkipReasons; ++r)
    if (s.skipped[r] > 0)
      log.line("skipped   ", with_thousands(s.skipped[r]), " ", skip_reason_text(static_cast<SkipReason>(r)));
  for (const SkippedRow& row : s.first_skipped)
    log.line("skipped   line ", row.line, ": ", skip_reason_text(row.reason), " (", row.detail, ")");
}

std::string labels_counted(int64_t count, const char* what) {
  return count ? ", " + with_thousands(count) + " " + what : "";
}

void log_transactions(const Logger& log, const ImportOptions& o, const std::string& output, const ImportSummary& s) {
  log.line("import    ", o.input, ": ", with_thousands(s.rows_read), " rows read, ", with_thousands(s.rows_kept),
           " kept (", with_thousands(s.returns), " returns, ", with_thousands(s.zero_amount), " with amount 0), ",
           with_thousands(s.skipped_total()), " skipped");
  log_skipped(log, s);
  log.line("wrote     ", output, ": ", with_thousands(s.rows_kept), " transactions",
           labels_counted(s.categories, "categories"), labels_counted(s.channels, "channels"));
}

void log_events(const Logger& log, const ImportOptions& o, const std::string& output, const ImportSummary& s) {
  log.line("import    ", o.input, ": ", with_thousands(s.rows_read), " rows read, ", with_thousands(s.rows_kept),
           " kept, ", with_thousands(s.skipped_total()), " skipped");
  log_skipped(log, s);
  std::string by_type;
  for (std::size_t t = 0; t < s.events_by_type.size(); ++t)
    by_type += (by_type.empty() ? "" : ", ") + with_thousands(s.events_by_type[t]) + " " + event_type_labels()[t];
  log.line("events    ", by_type);
  log.line("wrote     ", output, ": ", with_thousands(s.rows_kept), " events in ", kEvents,
           labels_counted(s.campaigns, "campaigns"), labels_counted(s.channels, "channels"));
}

}  // namespace

ImportSummary import_job(ImportOptions options, const std::string& output, bool force, const Communicator& comm,
                         const Logger& log) {
  const bool events = options.table == ImportTable::events;
  // Events go into an existing transactions file: replaced by its copy with /events when complete.
  AtomicOutput file(output, force || events, {options.input}, comm);
  if (events) {
    options.base = output;
    options.replace_events = force;
  }
  options.output = file.partial_path();
  const ImportSummary summary = import_on_root(options, comm, log);
  file.commit();
  (events ? log_events : log_transactions)(log, options, output, summary);
  return summary;
}

}  // namespace kseg

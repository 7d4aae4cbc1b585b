#pragma once

#include <string>

#include "common/communicator.hpp"
#include "common/logger.hpp"
#include "io/import_options.hpp"

namespace kseg {

/// Collective: `kseg import`. Rank 0 reads the export and writes the file (a text file can only be
/// read in order, and one process writes the HDF5 file) as `output`'s partial file, renamed when
/// complete; every rank returns the same summary or raises the same error. Order lines make a new
/// transactions file (`force`: replacing one); events make a copy of the transactions file
/// `output` with /events (`force`: replacing its events), so that a failed import leaves it as it was.
ImportSummary import_job(ImportOptions options, const std::string& output, bool force, const Communicator& comm,
                         const Logger& log);

}  // namespace kseg

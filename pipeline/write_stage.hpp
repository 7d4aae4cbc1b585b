#pragma once

#include <string>

#include "cluster/data_summary.hpp"
#include "io/run_report.hpp"
#include "pipeline/assign_stage.hpp"

namespace kseg {

/// RESULT.h5 → RESULT: the reports are RESULT.report.json, RESULT.csv and RESULT.report.html.
std::string result_stem(const std::string& output);

/// What the write stage puts in the result file and the reports.
struct RunOutcome {
  const RunParams& params;
  const JobSummary& summary;
  const DataSummary& data;
  const ModelInputs& inputs;
  const FitOutcome& fitted;
  const SegmentedCustomers& customers;
};

/// Where the write stage writes: the partial files of the job's atomic outputs.
struct OutputPaths {
  std::string result, report_json, segments_csv, report_html;
};

/// Collective: the result file (per-customer datasets by every rank, the model by rank 0) and,
/// from rank 0, the three reports.
void write_stage(const RunOutcome& outcome, RunReport& report, const OutputPaths& paths, const Communicator& comm);

}  // namespace kseg

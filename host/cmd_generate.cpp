#include <algorithm>
#include <memory>

#include "common/errors.hpp"
#include "host/cli_checks.hpp"
#include "host/commands.hpp"
#include "host/generate.hpp"
#include "io/atomic_output.hpp"
#include "io/feature_file.hpp"
#include "io/synthetic_blobs.hpp"

namespace kseg {
namespace {

constexpr int64_t kRowsPerChunk = 1 << 20;  // bounds a rank's memory whatever --customers is

std::vector<std::string> names_or_default(const GenerateOptions& o) {
  if (o.feature_names.empty()) {
    std::vector<std::string> names;
    for (int j = 0; j < o.features; ++j) names.push_back("f" + std::to_string(j));
    return names;
  }
  if (static_cast<int>(o.feature_names.size()) != o.features)
    throw InputError("--feature-names lists " + std::to_string(o.feature_names.size()) + " names for --features " +
                         std::to_string(o.features), ErrorScope::all_ranks);
  return o.feature_names;
}

}  // namespace

void generate_features_file(const GenerateOptions& o, const Communicator& comm, const Logger& log) {
  if (o.customers < comm.size())
    throw InputError("--customers " + std::to_string(o.customers) + " is fewer than the " +
                         std::to_string(comm.size()) + " ranks", ErrorScope::all_ranks);
  const BlobModel model = make_blob_model(o.segments, o.features, o.seed, o.separation);
  AtomicOutput output(o.output, o.force, comm);
  FeatureFileWriter writer(output.partial_path(),
                           {o.customers, o.features, names_or_default(o), o.segments}, comm);
  const RowBlock block = row_block(o.customers, comm.size(), comm.rank());
  const int64_t chunks = (row_block(o.customers, comm.size(), 0).count + kRowsPerChunk - 1) / kRowsPerChunk;
  const std::size_t chunk_rows = static_cast<std::size_t>(std::min(block.count, kRowsPerChunk));
  std::vector<int64_t> ids(chunk_rows);
  std::vector<float> x(chunk_rows * o.features);
  std::vector<int32_t> truth(chunk_rows);
  for (int64_t c = 0; c < chunks; ++c) {  // the same number of collective writes on every rank
    const int64_t begin = std::min(block.count, c * kRowsPerChunk);
    const int64_t rows = std::min(block.count, begin + kRowsPerChunk) - begin;
    generate_rows(model, block.first + begin, rows, ids.data(), x.data(), truth.data());
    writer.write_rows(block.first + begin, rows, ids.data(), x.data(), truth.data());
    log.line("generate  chunk ", c + 1, "/", chunks, " (", with_thousands(kRowsPerChunk), " rows per rank per chunk)");
  }
  writer.finish(model.centers);
  output.commit();
  log.line("wrote     ", o.output, ": ", with_thousands(o.customers), " customers x ", o.features, " features, ",
           o.segments, " true segments in ", kTruthSegment);
}

Command add_generate_command(CLI::App& app, const Communicator& comm) {
  auto o = std::make_shared<GenerateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Write a synthetic customer feature matrix with known segments (Gaussian blobs of unequal sizes and "
      "spreads) for tests, benchmarks and trying kseg out. All ranks write in parallel.");
  cmd->add_option("--customers", o->customers, "Number of customers (rows)")->capture_default_str()->check(at_least(1));
  cmd->add_option("--features", o->features, "Features per customer (columns)")->capture_default_str()->check(CLI::Range(1, 4096));
  cmd->add_option("--segments", o->segments, "True segments (blobs)")->capture_default_str()->check(CLI::Range(1, 100000));
  cmd->add_option("--seed", o->seed, "Seed; the same seed gives the same file")->capture_default_str();
  cmd->add_option("--separation", o->separation, "Minimum distance between blob centres, in blob spreads (smaller: more overlap)")
      ->capture_default_str()->check(at_least(0));
  cmd->add_option("--feature-names", o->feature_names, "Comma-separated feature names (default f0,f1,...)")->delimiter(',');
  cmd->add_option("--out", o->output, "Output HDF5 file")->required();
  cmd->add_flag("--force", o->force, "Replace --out if it exists");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress lines");
  return {cmd, [o, &comm] { generate_features_file(*o, comm, Logger(comm.is_root() && !o->quiet)); }};
}

}  // namespace kseg

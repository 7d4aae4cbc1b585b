#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

/// What a checkpoint holds: the run it belongs to, and where its fit stands.
struct CheckpointData {
  /// "k=8;d=6;seed=42;...;input=<checksum>": a resumed run must have the same line.
  std::string identity;
  int64_t restart = 0;
  int64_t iteration = 0;
  std::vector<float> centroids;
  // The best finished restart so far (best_restart = -1: none).
  int64_t best_restart = -1;
  double best_inertia = 0;  ///< its exact inertia, rounded once
  int64_t best_iterations = 0;
  int64_t best_converged = 0;
  std::vector<float> best_centroids;
  std::vector<int64_t> best_sizes;
  std::vector<double> restart_inertia;
};

/// Written by one process to `path`.partial, then renamed: a checkpoint is whole or absent.
void write_checkpoint(const std::string& path, const CheckpointData& data);

/// Throws InputError (all ranks alike) when the file is missing or not a kseg checkpoint.
/// Whether `path` is a checkpoint kseg wrote (HDF5 with the checkpoint's identity attribute).
bool is_kseg_checkpoint(const std::string& path);

CheckpointData read_checkpoint(const std::string& path);

}  // namespace kseg

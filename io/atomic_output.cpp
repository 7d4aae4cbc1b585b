#include "io/atomic_output.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/errors.hpp"

namespace kseg {
namespace {

std::string check_destination(const std::string& path, bool overwrite) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(directory)) return path + ": directory " + directory.string() + " does not exist";
  if (fs::exists(target) && !overwrite)
    return path + ": already exists; kseg never overwrites a result (pass --force to replace it)";
  return "";
}

}  // namespace

AtomicOutput::AtomicOutput(std::string final_path, bool overwrite, const Communicator& comm)
    : final_path_(std::move(final_path)), partial_path_(final_path_ + ".partial"), comm_(comm) {
  // Rank 0 decides, every rank learns the verdict: so all ranks raise the same error together.
  const std::string problem =
      comm_.broadcast_string(comm_.is_root() ? check_destination(final_path_, overwrite) : "", 0);
  if (!problem.empty()) throw InputError(problem, ErrorScope::all_ranks);
  if (comm_.is_root()) std::remove(partial_path_.c_str());  // left by a killed earlier run
  comm_.barrier();
}

AtomicOutput::~AtomicOutput() {
  if (!committed_ && comm_.is_root()) std::remove(partial_path_.c_str());
}

void AtomicOutput::commit() {
  comm_.barrier();  // every rank has finished writing
  std::string problem;
  if (comm_.is_root() && std::rename(partial_path_.c_str(), final_path_.c_str()) != 0)
    problem = final_path_ + ": cannot move the finished file into place: " + std::strerror(errno);
  problem = comm_.broadcast_string(problem, 0);
  if (!problem.empty()) throw IoError(problem, ErrorScope::all_ranks);
  committed_ = true;
}

}  // namespace kseg

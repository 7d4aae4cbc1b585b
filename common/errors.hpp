#pragma once

#include <stdexcept>
#include <string>

namespace kseg {

/// Whether every rank raises the same error at the same point (a decision taken on data all ranks
/// share), so the job may end cleanly, or only this rank saw it and the others must be aborted.
enum class ErrorScope { this_rank, all_ranks };

/// Base of every error kseg reports to its user; `what()` is one line naming the input at fault.
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, ErrorScope scope = ErrorScope::this_rank)
      : std::runtime_error(message), scope_(scope) {}
  ErrorScope scope() const { return scope_; }

 private:
  ErrorScope scope_;
};

/// The user's input (a file, a dataset, an option) is wrong.
class InputError : public Error {
 public:
  using Error::Error;
};

/// Refuses the user's input with an InputError that every rank raises alike (a decision taken
/// on data all ranks share), so the job ends cleanly with one line.
[[noreturn]] inline void refuse(const std::string& message) { throw InputError(message, ErrorScope::all_ranks); }

/// Reading or writing a file failed for a reason outside the user's data (permissions, disk).
class IoError : public Error {
 public:
  using Error::Error;
};

/// An MPI call returned an error code.
class MpiError : public Error {
 public:
  using Error::Error;
};

/// A CUDA call failed, or a device was asked for and is not there.
class DeviceError : public Error {
 public:
  using Error::Error;
};

/// The job stopped on request (SIGUSR1/SIGTERM) after writing a checkpoint: not a failure.
class Interrupted : public Error {
 public:
  using Error::Error;
};

/// Process exit codes; distinct so that batch scripts can tell the cases apart.
enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,
  kExitInput = 2,
  kExitIo = 3,
  kExitMpi = 4,
  kExitDevice = 5,
  kExitCheckpointed = 75,  ///< stopped with a checkpoint: requeue and resume (EX_TEMPFAIL)
};

}  // namespace kseg

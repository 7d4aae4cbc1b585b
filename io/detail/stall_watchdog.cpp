#include "io/detail/stall_watchdog.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "common/errors.hpp"

namespace kseg::h5::detail {
namespace {

using Clock = std::chrono::steady_clock;

double stall_limit_seconds() {
  const char* text = std::getenv("KSEG_HDF5_STALL_SECONDS");
  const double seconds = text ? std::atof(text) : 0.0;
  return seconds > 0 ? seconds : 60.0;
}

// One thread per process, started by the first guard, sleeping until a guarded read outlives
// its deadline. The line is written with one call so that ranks failing at once do not interleave.
class Watchdog {
 public:
  static Watchdog& instance() {
    static Watchdog* watchdog = new Watchdog();  // never destroyed: the thread outlives main's statics
    return *watchdog;
  }

  void arm(const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex_);
    what_ = what;
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit_));
    wake_.notify_one();
  }

  void disarm() {
    std::lock_guard<std::mutex> lock(mutex_);
    what_.clear();
    deadline_ = Clock::time_point::max();
  }

 private:
  Watchdog() : limit_(stall_limit_seconds()) { std::thread([this] { watch(); }).detach(); }

  void watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait_until(lock, deadline_);
      if (what_.empty() || Clock::now() < deadline_) continue;
      const std::string line = "kseg: error: " + what_ + ": the HDF5 library made no progress for " +
                               std::to_string(static_cast<int>(limit_)) +
                               " s (its metadata is corrupt; KSEG_HDF5_STALL_SECONDS sets the limit)\n";
      std::fwrite(line.data(), 1, line.size(), stderr);
      std::fflush(stderr);
      std::_Exit(kExitInput);  // the library holds its locks mid-read: nothing else can run safely
    }
  }

  const double limit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string what_;
  Clock::time_point deadline_ = Clock::time_point::max();
};

}  // namespace

StallGuard::StallGuard(const std::string& what) { Watchdog::instance().arm(what); }

StallGuard::~StallGuard() { Watchdog::instance().disarm(); }

}  // namespace kseg::h5::detail

#include "common/stop_request.hpp"

#include <csignal>

#include "common/errors.hpp"

namespace kseg {
namespace {

volatile std::sig_atomic_t stop_flag = 0;

void request_stop(int) { stop_flag = 1; }

}  // namespace

void install_stop_handlers() {
  std::signal(SIGUSR1, request_stop);
  std::signal(SIGTERM, request_stop);
}

bool stop_requested() { return stop_flag != 0; }

void stop_if_requested(const Communicator& comm, const std::string& during) {
  if (!comm.any(stop_requested())) return;
  throw Interrupted("asked to stop (SIGTERM or SIGUSR1) while " + during +
                        ", before anything worth keeping: no output was written; rerun the same command",
                    ErrorScope::all_ranks);
}

}  // namespace kseg

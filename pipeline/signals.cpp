#include "pipeline/signals.hpp"

#include <csignal>

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

}  // namespace kseg

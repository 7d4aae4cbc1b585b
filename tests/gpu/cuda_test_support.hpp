#pragma once

#include <gtest/gtest.h>

#include <string>

#include "kernels/device.hpp"

namespace kseg::testing {

/// Binds device 0, or skips the test loudly when this machine has none.
#define KSEG_REQUIRE_CUDA_DEVICE()                                        \
  do {                                                                    \
    std::string why_none;                                                 \
    if (::kseg::cuda_device_count(why_none) == 0)                         \
      GTEST_SKIP() << "no CUDA device (" << why_none << ")";              \
    ::kseg::use_cuda_device(0);                                           \
  } while (false)

}  // namespace kseg::testing

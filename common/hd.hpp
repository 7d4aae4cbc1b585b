#pragma once

// Marks functions shared by the CPU (g++) and CUDA (nvcc) backends. Under g++ the CUDA
// qualifiers do not exist, so the macro expands to nothing there.
#if defined(__CUDACC__)
#define KSEG_HD __host__ __device__
#else
#define KSEG_HD
#endif

#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <vector>

namespace kseg {

/// Resizes `v` to `n` elements, first asking the kernel to back any new large allocation with
/// transparent huge pages (where it allows them only on request, as most distributions do). A
/// rank's columns are gigabytes: at 4 KiB a page, the first touch of every page cost a fault that
/// measured a fifth of `kseg features`' time. Contents and sizes are unchanged; where the kernel
/// declines, nothing happens.
template <typename T>
void resize_on_huge_pages(std::vector<T>& v, std::size_t n) {
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  if (n > v.capacity() && n * sizeof(T) >= 2 * kHugePage) {
    std::vector<T> grown;
    grown.reserve(n);  // allocated, not yet touched
    const auto begin = (reinterpret_cast<std::uintptr_t>(grown.data()) + kHugePage - 1) & ~(kHugePage - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(grown.data() + n)) & ~(kHugePage - 1);
    if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advice only
    grown.assign(v.begin(), v.end());
    v.swap(grown);
  }
  v.resize(n);
}

}  // namespace kseg

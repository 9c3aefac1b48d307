#pragma once
// The PUT's one body buffer, aligned to a 4 KiB page. Why: the kernel's copy
// out of the page cache into it (pread) is a `rep movsb`, and on this
// project's AMD EPYC machine it ran at a third of the speed into a
// std::vector's storage (16 bytes past a 64-byte boundary): 1.2-1.5 s of
// system time per GiB against 0.7-0.8 s page-aligned (bench/README.md).
#include <cstddef>
#include <new>

namespace upstate::asio {

class PageBuffer {
 public:
  static constexpr std::size_t kAlignment = 4096;

  explicit PageBuffer(std::size_t size)
      : data_(static_cast<char*>(::operator new(size, std::align_val_t{kAlignment}))), size_(size) {}
  ~PageBuffer() { ::operator delete(data_, std::align_val_t{kAlignment}); }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;

  char* data() noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }

 private:
  char* data_;
  std::size_t size_;
};

}  // namespace upstate::asio

// MetaOp's CUDA emulation: the CUDA C++ that MetaOp generates, built for the host by the system C++
// compiler. A launch runs its blocks one after another; the threads of a block run as cooperative
// fibers (ucontext), so __syncthreads() is a real barrier: every thread of the block runs up to it
// before any runs past it. With nothing preempted, atomics are plain read-modify-writes and
// __shared__ variables (function-static) belong to the block that is running. Strict checks raise
// errors instead of undefined behaviour: a barrier that only part of a block reaches, a launch
// whose block exceeds 1024 threads. Errors are reported by cuda_emu_last_error().
#pragma once
#ifdef __CUDACC__
#error "cuda_emu.h is for host compilers; nvcc builds the same source against the real CUDA runtime"
#endif
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __restrict__ __restrict

struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace cuda_emu {

enum State { Ready, AtBarrier, Done };

struct Fiber {
  ucontext_t ctx;
  char* stack;
  State state;
};

const size_t STACK_BYTES = 64 * 1024;
const unsigned MAX_THREADS = 1024;

struct Emu {
  dim3 threadIdx, blockIdx, blockDim, gridDim;
  ucontext_t scheduler;
  Fiber fibers[MAX_THREADS];
  unsigned current = 0;
  void (*body)(void*) = nullptr;
  void* arg = nullptr;
  char error[512] = "";
};

inline thread_local Emu emu;

inline void fail(const char* message) {
  if (!emu.error[0]) snprintf(emu.error, sizeof emu.error, "%s", message);
}

inline void entry() {
  emu.body(emu.arg);
  emu.fibers[emu.current].state = Done;
  // returning resumes uc_link: the scheduler
}

inline void syncthreads() {
  Fiber& f = emu.fibers[emu.current];
  f.state = AtBarrier;
  swapcontext(&f.ctx, &emu.scheduler);
}

/** Runs body(arg) as the kernel of a <<<grid, block>>> launch; 0 on success. */
inline int launch(dim3 grid, dim3 block, void (*body)(void*), void* arg) {
  const unsigned n = block.x * block.y * block.z;
  if (n == 0 || n > MAX_THREADS) {
    snprintf(emu.error, sizeof emu.error, "cuda_emu: a block of %u threads (CUDA allows 1 to %u)", n, MAX_THREADS);
    return 1;
  }
  emu.body = body;
  emu.arg = arg;
  emu.blockDim = block;
  emu.gridDim = grid;
  for (unsigned t = 0; t < n; t++)
    if (!emu.fibers[t].stack) emu.fibers[t].stack = static_cast<char*>(malloc(STACK_BYTES));
  for (unsigned bz = 0; bz < grid.z; bz++)
    for (unsigned by = 0; by < grid.y; by++)
      for (unsigned bx = 0; bx < grid.x; bx++) {
        emu.blockIdx = dim3(bx, by, bz);
        for (unsigned t = 0; t < n; t++) {
          Fiber& f = emu.fibers[t];
          getcontext(&f.ctx);
          f.ctx.uc_stack.ss_sp = f.stack;
          f.ctx.uc_stack.ss_size = STACK_BYTES;
          f.ctx.uc_link = &emu.scheduler;
          makecontext(&f.ctx, entry, 0);
          f.state = Ready;
        }
        for (;;) {
          // One round: every ready thread runs until it reaches a barrier or returns.
          for (unsigned t = 0; t < n; t++) {
            Fiber& f = emu.fibers[t];
            if (f.state != Ready) continue;
            emu.current = t;
            emu.threadIdx = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
            swapcontext(&emu.scheduler, &f.ctx);
          }
          unsigned waiting = 0;
          for (unsigned t = 0; t < n; t++) waiting += emu.fibers[t].state == AtBarrier;
          if (waiting == 0) break;
          if (waiting != n) {
            snprintf(emu.error, sizeof emu.error,
                     "cuda_emu: __syncthreads() reached by %u of the %u threads of block (%u,%u,%u); the others returned",
                     waiting, n, bx, by, bz);
            return 1;
          }
          for (unsigned t = 0; t < n; t++) emu.fibers[t].state = Ready;
        }
        if (emu.error[0]) return 1;
      }
  return 0;
}

}  // namespace cuda_emu

#define threadIdx (cuda_emu::emu.threadIdx)
#define blockIdx (cuda_emu::emu.blockIdx)
#define blockDim (cuda_emu::emu.blockDim)
#define gridDim (cuda_emu::emu.gridDim)

inline void __syncthreads() { cuda_emu::syncthreads(); }

// Atomics: fibers never preempt each other, so a read-modify-write is atomic.
template <typename T> inline T atomicAdd(T* p, T v) { T old = *p; *p = old + v; return old; }
template <typename T> inline T atomicMax(T* p, T v) { T old = *p; *p = old < v ? v : old; return old; }
template <typename T> inline T atomicMin(T* p, T v) { T old = *p; *p = v < old ? v : old; return old; }
template <typename T> inline T atomicExch(T* p, T v) { T old = *p; *p = v; return old; }
template <typename T> inline T atomicCAS(T* p, T compare, T v) { T old = *p; if (old == compare) *p = v; return old; }

/** The lambda (or functor) `f` as a launch body. */
template <typename F> inline void cuda_emu_call(void* f) { (*static_cast<F*>(f))(); }

/** `MO_LAUNCH(grid, block, kernel(args...))`: `kernel<<<grid, block>>>(args...)` under nvcc. */
#define MO_LAUNCH(grid, block, call)                                                      \
  do {                                                                                    \
    auto mo_body = [&]() { call; };                                                       \
    if (cuda_emu::launch(grid, block, cuda_emu_call<decltype(mo_body)>, &mo_body)) return 1; \
  } while (0)

extern "C" const char* cuda_emu_last_error(void) { return cuda_emu::emu.error; }

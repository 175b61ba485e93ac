// MetaOp's CUDA emulation: the CUDA C++ that MetaOp generates, built for the host by the system C++
// compiler. A launch runs its blocks one after another; the threads of a block run as cooperative
// fibers (ucontext), so __syncthreads() is a real barrier: every thread of the block runs up to it
// before any runs past it. With nothing preempted, atomics are plain read-modify-writes and
// __shared__ variables (function-static) belong to the block that is running. Warp shuffles
// (__shfl_down_sync, __shfl_xor_sync) are a meeting of the 32 lanes of a warp: each lane leaves its
// value and waits until every lane of its warp has arrived, then reads the value of its source
// lane. Strict checks raise errors instead of undefined behaviour: a barrier that only part of a
// block reaches, a shuffle that only part of a warp reaches (or with a mask that leaves lanes
// out), an index outside a MO_SHARED array, a launch whose block exceeds 1024 threads. Errors are
// reported by cuda_emu_last_error().
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

enum State { Ready, AtBarrier, AtShuffle, Done };

const unsigned WARP = 32;

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
  /** Values lanes left at a shuffle, and the snapshot of them the lanes of a released warp read. */
  uint64_t shuffleIn[MAX_THREADS];
  uint64_t shuffleOut[MAX_THREADS];
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

/** Leaves `bytes` of the calling lane's value, waits for the whole warp, returns the snapshot slot of lane `src` of the warp. */
inline const uint64_t* shuffle(const void* value, size_t bytes, unsigned mask, unsigned src) {
  const unsigned t = emu.current;
  const unsigned lanes = emu.blockDim.x * emu.blockDim.y * emu.blockDim.z;
  const unsigned base = t - t % WARP;
  const unsigned width = lanes - base < WARP ? lanes - base : WARP;
  const unsigned full = width == WARP ? 0xffffffffu : (1u << width) - 1;
  if ((mask & full) != full) {
    char m[160];
    snprintf(m, sizeof m, "cuda_emu: a warp shuffle with mask 0x%08x leaves out lanes of warp %u (%u lanes)", mask, t / WARP, width);
    fail(m);
  }
  memcpy(&emu.shuffleIn[t], value, bytes);
  Fiber& f = emu.fibers[t];
  f.state = AtShuffle;
  swapcontext(&f.ctx, &emu.scheduler);
  return &emu.shuffleOut[base + (src < width ? src : t - base)];
}

/**
 * After a round: releases each warp whose lanes all wait at a shuffle; fails when a warp has only
 * some lanes there. Returns whether any warp was released (1), none waited (0), or it failed (-1).
 */
inline int releaseShuffles(unsigned n, dim3 b) {
  int released = 0;
  for (unsigned base = 0; base < n; base += WARP) {
    const unsigned width = n - base < WARP ? n - base : WARP;
    unsigned at = 0;
    for (unsigned t = base; t < base + width; t++) at += emu.fibers[t].state == AtShuffle;
    if (at == 0) continue;
    if (at != width) {
      snprintf(emu.error, sizeof emu.error,
               "cuda_emu: a warp shuffle reached by %u of the %u lanes of warp %u of block (%u,%u,%u); the others are at a barrier or returned",
               at, width, base / WARP, b.x, b.y, b.z);
      return -1;
    }
    memcpy(&emu.shuffleOut[base], &emu.shuffleIn[base], width * sizeof(uint64_t));
    for (unsigned t = base; t < base + width; t++) emu.fibers[t].state = Ready;
    released = 1;
  }
  return released;
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
          const int shuffled = releaseShuffles(n, emu.blockIdx);
          if (shuffled < 0) return 1;
          if (shuffled > 0) continue;
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

// Warp shuffles: the lane's value for the lane `delta` above (down) or at lane ^ mask (xor);
// a source outside the warp (or the width) gives the lane's own value, as on the GPU.
template <typename T> inline T cuda_emu_shuffle(unsigned mask, T v, unsigned src, int width) {
  static_assert(sizeof(T) <= 8, "a shuffled value is at most 8 bytes");
  const unsigned lane = threadIdx.x % cuda_emu::WARP;
  const unsigned group = lane - lane % (unsigned)width;
  const unsigned from = src >= group && src < group + (unsigned)width ? src : lane;
  T out;
  memcpy(&out, cuda_emu::shuffle(&v, sizeof(T), mask, from), sizeof(T));
  return out;
}
template <typename T> inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
  return cuda_emu_shuffle(mask, v, threadIdx.x % cuda_emu::WARP + delta, width);
}
template <typename T> inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
  return cuda_emu_shuffle(mask, v, (threadIdx.x % cuda_emu::WARP) ^ (unsigned)laneMask, width);
}

namespace cuda_emu {
/** A __shared__ array whose every access is checked against its size. */
template <typename T, unsigned N> struct Shared {
  const char* name;
  T cells[N];
  T spare;
  explicit Shared(const char* n) : name(n) {}
  T& operator[](int64_t i) {
    if (i >= 0 && i < (int64_t)N) return cells[i];
    char m[160];
    snprintf(m, sizeof m, "cuda_emu: shared memory %s[%lld] is out of bounds (%u elements), thread %u of block %u", name, (long long)i, N,
             emu.current, blockIdx.x);
    fail(m);
    return spare;
  }
};
}  // namespace cuda_emu

/** `MO_SHARED(T, name, n)`: `__shared__ T name[n]` under nvcc; here an array whose accesses are checked. */
#define MO_SHARED(T, name, n) static cuda_emu::Shared<T, n> name(#name)

/** The lambda (or functor) `f` as a launch body. */
template <typename F> inline void cuda_emu_call(void* f) { (*static_cast<F*>(f))(); }

/** `MO_LAUNCH(grid, block, kernel(args...))`: `kernel<<<grid, block>>>(args...)` under nvcc. */
#define MO_LAUNCH(grid, block, call)                                                      \
  do {                                                                                    \
    auto mo_body = [&]() { call; };                                                       \
    if (cuda_emu::launch(grid, block, cuda_emu_call<decltype(mo_body)>, &mo_body)) return 1; \
  } while (0)

extern "C" const char* cuda_emu_last_error(void) { return cuda_emu::emu.error; }

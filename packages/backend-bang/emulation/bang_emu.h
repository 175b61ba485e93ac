// bang_emu.h: MetaOp's host emulation of Cambricon BANG C, so that generated BANG C compiles with a
// plain C++ compiler (g++/clang++, C++17) and runs on the CPU. It is an emulator, not a simulator:
// it reproduces the documented semantics of the intrinsics MetaOp emits, not their timing or the
// precision of the hardware's activation tables.
//
// Build flags: -D__BANG_ARCH__=270|372 and -D__MLU_NRAM_SIZE__=<KB> pick the target (default
// MLU270, 512 KB); -DBANG_EMU_STRICT=1 turns on the checks the hardware (or cncc) would fail on:
//   - vector counts: a positive multiple of 64 elements (and of 128 bytes);
//   - vector operands: inside the NRAM buffer and at 128-byte aligned offsets;
//   - NRAM budget: the kernel's __nram__ buffer fits the target's NRAM minus the stack reserve;
//   - Union launches: dim.x a multiple of 4*N.
// A failed check inside bang_emu_launch() makes the launch return non-zero (the message is kept
// for bang_emu_last_error()); outside a launch it prints the message and aborts. Strict mode also
// fills NRAM with NaN bytes at the start of every launch, like the stale NRAM of a real core.
// One translation unit per program or shared library: the header defines the task variables and
// the exported bang_emu_last_error().
#ifndef METAOP_BANG_EMU_H
#define METAOP_BANG_EMU_H

#ifdef __BANG__
#error "bang_emu.h emulates BANG on a host compiler; cncc builds include <bang.h> instead"
#endif

// The C library headers only: libstdc++'s <math.h> wrapper would pull in all of <cmath>, which
// doubles the compile time of every kernel library. The macro stays defined so that the generated
// code's own #include <math.h> gets the plain C header too.
#ifndef _GLIBCXX_INCLUDE_NEXT_C_HEADERS
#define _GLIBCXX_INCLUDE_NEXT_C_HEADERS 1
#endif
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef __BANG_ARCH__
#define __BANG_ARCH__ 270
#endif
#ifndef __MLU_NRAM_SIZE__
#define __MLU_NRAM_SIZE__ 512
#endif
#ifndef BANG_EMU_STRICT
#define BANG_EMU_STRICT 0
#endif
/** NRAM kept free for the compiler's stack (mlu-ops REM_FOR_STACK). */
#define BANG_EMU_STACK_RESERVE (128 * 1024)
#define BANG_EMU_ALIGN 128
#define BANG_EMU_COUNT_ALIGN 64

// ---- qualifiers: empty or static, as Cambricon's own mlu.h does for host builds -------------------
#define __mlu_global__
#define __mlu_entry__
#define __mlu_host__
#define __mlu_func__ static inline
#define __mlu_device__ static inline
#define __nram__ static __attribute__((aligned(BANG_EMU_ALIGN)))
#define __wram__ static __attribute__((aligned(BANG_EMU_ALIGN)))
#define __ldram__ static
#define __mlu_shared__ static
#define __mlu_const__ static const

#if defined(__FLT16_MAX__)
typedef _Float16 half;
#endif

// ---- host runtime types used by launchers ---------------------------------------------------------
typedef struct {
  unsigned int x, y, z;
} cnrtDim3_t;

typedef enum {
  cnrtFuncTypeBlock = 1,
  cnrtFuncTypeUnion1 = 4,
  cnrtFuncTypeUnion2 = 8,
  cnrtFuncTypeUnion4 = 16,
  cnrtFuncTypeUnion8 = 32,
  cnrtFuncTypeUnion16 = 64
} cnrtFunctionType_t;

typedef enum {
  GDRAM2NRAM,
  NRAM2GDRAM,
  NRAM2NRAM,
  GDRAM2GDRAM,
  GDRAM2WRAM,
  NRAM2WRAM,
  WRAM2NRAM,
  GDRAM2SRAM,
  SRAM2GDRAM,
  SRAM2NRAM,
  NRAM2SRAM,
  SRAM2SRAM
} mluMemcpyDirection_t;

// ---- task variables (set by bang_emu_launch before each task) -------------------------------------
static int taskDim = 1, taskDimX = 1, taskDimY = 1, taskDimZ = 1;
static int taskId = 0, taskIdX = 0, taskIdY = 0, taskIdZ = 0;
static int coreDim = 1, coreId = 0, clusterDim = 0, clusterId = 0;

static inline bool __is_mpu(void) { return false; }
static inline bool __is_ipu(void) { return true; }

// Tasks run one after another, so every barrier and pipeline wait is already satisfied.
static inline void __sync(void) {}
static inline void __sync_io(void) {}
static inline void __sync_compute(void) {}
static inline void __sync_move(void) {}
static inline void __sync_io_move_compute(void) {}
static inline void __sync_cluster(void) {}
static inline void __sync_all(void) {}
static inline void __sync_all_ipu(void) {}

// ---- failures and strict checks --------------------------------------------------------------------
struct bang_emu_state {
  jmp_buf* jump;
  const char* nram;
  size_t nram_bytes;
  char message[768];
};
static bang_emu_state bang_emu = {0, 0, 0, {0}};

/** The message of the last failed check (empty when none failed). */
extern "C" __attribute__((visibility("default"))) const char* bang_emu_last_error(void) { return bang_emu.message; }

__attribute__((noreturn, format(printf, 1, 2))) static void bang_emu_fail(const char* fmt, ...) {
  int n = snprintf(bang_emu.message, sizeof bang_emu.message, "bang emulator (strict, task %d of %d): ", taskId, taskDim);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(bang_emu.message + n, sizeof bang_emu.message - (size_t)n, fmt, ap);
  va_end(ap);
  if (bang_emu.jump) longjmp(*bang_emu.jump, 1);
  fprintf(stderr, "%s\n", bang_emu.message);
  abort();
}

#if BANG_EMU_STRICT
#define BANG_EMU_CHECK(cond, ...) \
  do {                            \
    if (!(cond)) bang_emu_fail(__VA_ARGS__); \
  } while (0)
#else
#define BANG_EMU_CHECK(cond, ...) ((void)0)
#endif

/** Tells the strict checks where NRAM is (bang_emu_launch does this for kernels). */
static inline void bang_emu_set_nram(const void* nram, size_t bytes) {
  bang_emu.nram = (const char*)nram;
  bang_emu.nram_bytes = bytes;
}

/** [p, p + bytes) must lie in NRAM; vector operands must also start at a 128-byte offset. */
static inline void bang_emu_nram(const char* op, const void* p, size_t bytes, bool aligned) {
  (void)op, (void)p, (void)bytes, (void)aligned;
#if BANG_EMU_STRICT
  uintptr_t a = (uintptr_t)p;
  if (bang_emu.nram) {
    uintptr_t base = (uintptr_t)bang_emu.nram;
    BANG_EMU_CHECK(a >= base && a + bytes <= base + bang_emu.nram_bytes,
                   "%s: operand of %zu bytes at NRAM offset %lld is outside the %zu-byte NRAM buffer (a GDRAM pointer, or a tile that does not fit)",
                   op, bytes, (long long)(a - base), bang_emu.nram_bytes);
    BANG_EMU_CHECK(!aligned || (a - base) % BANG_EMU_ALIGN == 0, "%s: NRAM operand offset %llu is not a multiple of %d bytes", op,
                   (unsigned long long)(a - base), BANG_EMU_ALIGN);
  } else {
    BANG_EMU_CHECK(!aligned || a % BANG_EMU_ALIGN == 0, "%s: NRAM operand address %p is not %d-byte aligned", op, p, BANG_EMU_ALIGN);
  }
#endif
}

/** A vector operand of n elements: count rule plus NRAM placement. */
template <typename T>
static inline void bang_emu_vec(const char* op, const T* p, int n) {
  BANG_EMU_CHECK(n > 0 && n % BANG_EMU_COUNT_ALIGN == 0 && ((size_t)n * sizeof(T)) % BANG_EMU_ALIGN == 0,
                 "%s: element count %d must be a positive multiple of %d (and of %d bytes); pad the count", op, n, BANG_EMU_COUNT_ALIGN,
                 BANG_EMU_ALIGN);
  bang_emu_nram(op, p, (size_t)n * sizeof(T), true);
}

/** A block operand (reductions, pooling channels): bytes a positive multiple of 128. */
template <typename T>
static inline void bang_emu_block(const char* op, const T* p, int n) {
  BANG_EMU_CHECK(n > 0 && ((size_t)n * sizeof(T)) % BANG_EMU_ALIGN == 0, "%s: %d elements of %zu bytes are not a positive multiple of %d bytes", op,
                 n, sizeof(T), BANG_EMU_ALIGN);
  bang_emu_nram(op, p, (size_t)n * sizeof(T), true);
}

template <typename T>
struct bang_emu_same {
  typedef T type;
};

// ---- memory copies ----------------------------------------------------------------------------------
static inline bool bang_emu_to_nram(mluMemcpyDirection_t d) { return d == GDRAM2NRAM || d == NRAM2NRAM || d == WRAM2NRAM || d == SRAM2NRAM; }
static inline bool bang_emu_from_nram(mluMemcpyDirection_t d) { return d == NRAM2GDRAM || d == NRAM2NRAM || d == NRAM2WRAM || d == NRAM2SRAM; }

/** Copies `bytes` bytes in direction `dir`. */
static inline void __memcpy(void* dst, const void* src, int bytes, mluMemcpyDirection_t dir) {
  BANG_EMU_CHECK(bytes > 0, "__memcpy: byte count %d must be positive", bytes);
  if (bang_emu_to_nram(dir)) bang_emu_nram("__memcpy (destination)", dst, (size_t)bytes, false);
  if (bang_emu_from_nram(dir)) bang_emu_nram("__memcpy (source)", src, (size_t)bytes, false);
  memmove(dst, src, (size_t)bytes);
}

/** Strided form: segnum + 1 segments of `bytes` bytes; strides in bytes (a source stride of 0 repeats). */
static inline void __memcpy(void* dst, const void* src, int bytes, mluMemcpyDirection_t dir, int dst_stride, int src_stride, int segnum) {
  BANG_EMU_CHECK(bytes > 0 && segnum >= 0 && dst_stride >= 0 && src_stride >= 0, "__memcpy: bad strided copy (bytes %d, strides %d/%d, segnum %d)",
                 bytes, dst_stride, src_stride, segnum);
  if (bang_emu_to_nram(dir)) bang_emu_nram("__memcpy (destination)", dst, (size_t)dst_stride * segnum + bytes, false);
  if (bang_emu_from_nram(dir)) bang_emu_nram("__memcpy (source)", src, (size_t)src_stride * segnum + bytes, false);
  for (int s = 0; s <= segnum; s++) memmove((char*)dst + (size_t)s * dst_stride, (const char*)src + (size_t)s * src_stride, (size_t)bytes);
}

static inline void __memcpy_async(void* dst, const void* src, int bytes, mluMemcpyDirection_t dir) { __memcpy(dst, src, bytes, dir); }
static inline void __memcpy_async(void* dst, const void* src, int bytes, mluMemcpyDirection_t dir, int ds, int ss, int segnum) {
  __memcpy(dst, src, bytes, dir, ds, ss, segnum);
}

template <typename T>
static inline void __bang_write_value(T* dst, int n, typename bang_emu_same<T>::type value) {
  bang_emu_vec("__bang_write_value", dst, n);
  for (int i = 0; i < n; i++) dst[i] = value;
}

template <typename T>
static inline void __bang_write_zero(T* dst, int n) {
  bang_emu_vec("__bang_write_zero", dst, n);
  for (int i = 0; i < n; i++) dst[i] = (T)0;
}

// ---- element-wise vector intrinsics: dst may alias a source ---------------------------------------
#define BANG_EMU_BINARY(name, expr)                                              \
  template <typename T>                                                          \
  static inline void name(T* dst, const T* a, const T* b, int n) {               \
    bang_emu_vec(#name, dst, n), bang_emu_vec(#name, a, n), bang_emu_vec(#name, b, n); \
    for (int i = 0; i < n; i++) {                                                \
      T x = a[i], y = b[i];                                                      \
      dst[i] = (expr);                                                           \
    }                                                                            \
  }
BANG_EMU_BINARY(__bang_add, x + y)
BANG_EMU_BINARY(__bang_sub, x - y)
BANG_EMU_BINARY(__bang_mul, x * y)
// Hardware NaN behaviour is not documented; the emulator returns IEEE maxNum/minNum (a NaN operand
// loses), so MetaOp never relies on these for NaN-propagating max/min.
BANG_EMU_BINARY(__bang_maxequal, (T)fmaxf((float)x, (float)y))
BANG_EMU_BINARY(__bang_minequal, (T)fminf((float)x, (float)y))
#undef BANG_EMU_BINARY

#define BANG_EMU_SCALAR(name, expr)                                                          \
  template <typename T>                                                                      \
  static inline void name(T* dst, const T* a, typename bang_emu_same<T>::type s, int n) {    \
    bang_emu_vec(#name, dst, n), bang_emu_vec(#name, a, n);                                  \
    for (int i = 0; i < n; i++) {                                                            \
      T x = a[i];                                                                            \
      dst[i] = (expr);                                                                       \
    }                                                                                        \
  }
BANG_EMU_SCALAR(__bang_add_scalar, x + s)
BANG_EMU_SCALAR(__bang_sub_scalar, x - s)
BANG_EMU_SCALAR(__bang_mul_scalar, x * s)
#undef BANG_EMU_SCALAR

// Activation-table functions: exact libm values here; the MLU's tables are less precise (the *hp
// variants exist for that) and some have input ranges, see docs/backends/bang.md.
#define BANG_EMU_UNARY(name, expr)                            \
  template <typename T>                                       \
  static inline void name(T* dst, const T* a, int n) {        \
    bang_emu_vec(#name, dst, n), bang_emu_vec(#name, a, n);   \
    for (int i = 0; i < n; i++) {                             \
      float x = (float)a[i];                                  \
      dst[i] = (T)(expr);                                     \
    }                                                         \
  }
BANG_EMU_UNARY(__bang_active_relu, x > 0.0f ? x : 0.0f)
BANG_EMU_UNARY(__bang_active_exp, expf(x))
BANG_EMU_UNARY(__bang_active_log, logf(x))
BANG_EMU_UNARY(__bang_active_sigmoid, 1.0f / (1.0f + expf(-x)))
BANG_EMU_UNARY(__bang_active_tanh, tanhf(x))
BANG_EMU_UNARY(__bang_active_sqrt, sqrtf(x))
BANG_EMU_UNARY(__bang_active_abs, fabsf(x))
BANG_EMU_UNARY(__bang_recip, 1.0f / x)
BANG_EMU_UNARY(__bang_active_recip, 1.0f / x)
#undef BANG_EMU_UNARY

// ---- broadcast: dst[i] = src[i] op seg[i % seg_n] -------------------------------------------------
#define BANG_EMU_CYCLE(name, expr)                                                               \
  template <typename T>                                                                          \
  static inline void name(T* dst, const T* src, const T* seg, int src_n, int seg_n) {            \
    bang_emu_vec(#name, dst, src_n), bang_emu_vec(#name, src, src_n), bang_emu_vec(#name, seg, seg_n); \
    BANG_EMU_CHECK(src_n % seg_n == 0, "%s: source count %d is not a multiple of the segment count %d", #name, src_n, seg_n); \
    for (int i = 0; i < src_n; i++) {                                                            \
      T x = src[i], y = seg[i % seg_n];                                                          \
      dst[i] = (expr);                                                                           \
    }                                                                                            \
  }
BANG_EMU_CYCLE(__bang_cycle_add, x + y)
BANG_EMU_CYCLE(__bang_cycle_sub, x - y)
BANG_EMU_CYCLE(__bang_cycle_mul, x * y)
#undef BANG_EMU_CYCLE

// ---- reductions -------------------------------------------------------------------------------------
/**
 * Sum pooling over an HWC tensor (C innermost): dst[oh][ow][c] = sum of the kh x kw window. The
 * 8th argument is the W stride, the 9th the H stride (MetaOp keeps both at 1).
 */
template <typename T>
static inline void __bang_sumpool(T* dst, const T* src, int C, int H, int W, int kh, int kw, int sw, int sh) {
  BANG_EMU_CHECK(H > 0 && W > 0 && kh > 0 && kw > 0 && kh <= H && kw <= W && sw > 0 && sh > 0, "__bang_sumpool: bad window %dx%d over %dx%d", kh, kw,
                 H, W);
  bang_emu_block("__bang_sumpool (channels)", src, C);
  bang_emu_nram("__bang_sumpool (source)", src, (size_t)C * H * W * sizeof(T), true);
  int oh = (H - kh) / sh + 1, ow = (W - kw) / sw + 1;
  bang_emu_nram("__bang_sumpool (destination)", dst, (size_t)C * oh * ow * sizeof(T), true);
  T* out = (T*)malloc((size_t)C * oh * ow * sizeof(T));
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++)
      for (int c = 0; c < C; c++) {
        float acc = 0.0f;
        for (int i = 0; i < kh; i++)
          for (int j = 0; j < kw; j++) acc += (float)src[((size_t)(y * sh + i) * W + (x * sw + j)) * C + c];
        out[((size_t)y * ow + x) * C + c] = (T)acc;
      }
  memcpy(dst, out, (size_t)C * oh * ow * sizeof(T));
  free(out);
}

/** The 7-argument form: strides equal to the window. */
template <typename T>
static inline void __bang_sumpool(T* dst, const T* src, int C, int H, int W, int kh, int kw) {
  __bang_sumpool(dst, src, C, H, W, kh, kw, kw, kh);
}

/**
 * Sums each 128-byte block of src (32 floats or 64 halves) into the block's first element of dst.
 * The other lanes are undefined on hardware: 0 here, NaN in strict mode so that reading them shows.
 */
template <typename T>
static inline void __bang_reduce_sum(T* dst, const T* src, int n) {
  bang_emu_block("__bang_reduce_sum", src, n);
  bang_emu_block("__bang_reduce_sum", dst, n);
  const int block = BANG_EMU_ALIGN / (int)sizeof(T);
  for (int b = 0; b < n; b += block) {
    float acc = 0.0f;
    for (int i = 0; i < block; i++) acc += (float)src[b + i];
    for (int i = 1; i < block; i++) dst[b + i] = BANG_EMU_STRICT ? (T)NAN : (T)0;
    dst[b] = (T)acc;
  }
}

/**
 * Value and position of the largest (argmax) or smallest (argmin) element: dst[0] holds the value
 * and the uint32 index follows it immediately (bytes sizeof(T) .. sizeof(T)+3). Ties keep the first
 * index; NaN elements never win (hardware behaviour on NaN is not documented).
 */
template <typename T>
static inline void bang_emu_arg(const char* op, T* dst, const T* src, int n, bool largest) {
  bang_emu_vec(op, src, n);
  bang_emu_nram(op, dst, sizeof(T) + sizeof(uint32_t), true);
  uint32_t best = 0;
  for (int i = 1; i < n; i++)
    if (largest ? src[i] > src[best] : src[i] < src[best]) best = (uint32_t)i;
  T value = src[best];
  dst[0] = value;
  memcpy((char*)dst + sizeof(T), &best, sizeof best);
}
template <typename T>
static inline void __bang_argmax(T* dst, const T* src, int n) { bang_emu_arg("__bang_argmax", dst, src, n, true); }
template <typename T>
static inline void __bang_argmin(T* dst, const T* src, int n) { bang_emu_arg("__bang_argmin", dst, src, n, false); }
/** Older names with the same layout. */
template <typename T>
static inline void __bang_max(T* dst, const T* src, int n) { bang_emu_arg("__bang_max", dst, src, n, true); }
template <typename T>
static inline void __bang_min(T* dst, const T* src, int n) { bang_emu_arg("__bang_min", dst, src, n, false); }

// ---- launcher ---------------------------------------------------------------------------------------
/**
 * Runs `body` once per task of a dim.x * dim.y * dim.z launch, taskId = (z * dimY + y) * dimX + x,
 * with the kernel's NRAM buffer registered for the strict checks. Block tasks see coreDim 1 and
 * clusterDim 0; UnionN tasks (type = 4N cores) see coreDim 4, coreId = taskId % 4 and
 * clusterId = taskId / 4. Returns 0, or 1 when a strict check failed (see bang_emu_last_error()).
 */
template <typename F>
static inline int bang_emu_launch(cnrtDim3_t dim, cnrtFunctionType_t type, void* nram, size_t nram_bytes, F body) {
  jmp_buf jump;
  bang_emu.message[0] = 0;
  bang_emu.jump = &jump;
  if (setjmp(jump)) {
    bang_emu.jump = 0;
    bang_emu_set_nram(0, 0);
    return 1;
  }
  BANG_EMU_CHECK(dim.x > 0 && dim.y > 0 && dim.z > 0, "launch: every dimension must be positive (got %u x %u x %u)", dim.x, dim.y, dim.z);
  bool block = type == cnrtFuncTypeBlock;
  BANG_EMU_CHECK(block || dim.x % (unsigned)type == 0, "launch: a Union%d task needs dim.x to be a multiple of %d (got %u)", (int)type / 4, (int)type,
                 dim.x);
  BANG_EMU_CHECK(nram_bytes <= (size_t)__MLU_NRAM_SIZE__ * 1024 - BANG_EMU_STACK_RESERVE,
                 "launch: the kernel declares %zu bytes of __nram__ but BANG arch %d has %d KB of NRAM, %d KB of it kept for the stack; cncc "
                 "would reject it",
                 nram_bytes, __BANG_ARCH__, __MLU_NRAM_SIZE__, BANG_EMU_STACK_RESERVE / 1024);
  bang_emu_set_nram(nram, nram_bytes);
  taskDimX = (int)dim.x, taskDimY = (int)dim.y, taskDimZ = (int)dim.z;
  taskDim = taskDimX * taskDimY * taskDimZ;
  coreDim = block ? 1 : 4;
  clusterDim = block ? 0 : taskDim / 4;
  // Stale NRAM: NaN bytes, so code that computes on lanes it never loaded shows it. Once per launch
  // (later tasks see their predecessor's leftovers, as a core sees the last kernel's).
  if (BANG_EMU_STRICT && nram) memset(nram, 0xff, nram_bytes);
  for (taskIdZ = 0; taskIdZ < taskDimZ; taskIdZ++)
    for (taskIdY = 0; taskIdY < taskDimY; taskIdY++)
      for (taskIdX = 0; taskIdX < taskDimX; taskIdX++) {
        taskId = (taskIdZ * taskDimY + taskIdY) * taskDimX + taskIdX;
        coreId = block ? 0 : taskId % 4;
        clusterId = block ? 0 : taskId / 4;
        body();
      }
  taskId = taskIdX = taskIdY = taskIdZ = coreId = clusterId = 0;
  bang_emu.jump = 0;
  bang_emu_set_nram(0, 0);
  return 0;
}

#endif  // METAOP_BANG_EMU_H

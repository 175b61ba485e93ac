// Helper functions every C-family kernel may call: floor division, safe integer division,
// float floor-modulo, conversions with PyTorch's wrap rules, and the Philox generator
// (cFamilyHelpers); the CPU dialect adds OpenMP's NaN-propagating max/min reductions (cHelpers).
export const cFamilyHelpers = String.raw`#include <stdint.h>
#include <math.h>
#include <string.h>

static inline int64_t mo_fdiv(int64_t a, int64_t b) { int64_t q = a / b; return (q * b != a && ((a < 0) != (b < 0))) ? q - 1 : q; }
static inline int64_t mo_fmod(int64_t a, int64_t b) { int64_t r = a % b; return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r; }
static inline int64_t mo_min(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t mo_max(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int32_t mo_idiv(int32_t a, int32_t b) { return b == 0 ? 0 : (int32_t)mo_fdiv(a, b); }
static inline int32_t mo_imod(int32_t a, int32_t b) { return b == 0 ? 0 : (int32_t)mo_fmod(a, b); }
static inline float mo_fmodf(float a, float b) { float r = fmodf(a, b); return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r; }
static inline double mo_fmodd(double a, double b) { double r = fmod(a, b); return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r; }
static inline int32_t mo_f2i(double x) { return (x != x || fabs(x) >= 9.2e18) ? 0 : (int32_t)(uint32_t)(uint64_t)(int64_t)x; }
static inline uint8_t mo_f2u8(double x) { return (uint8_t)mo_f2i(x); }
static inline float mo_sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }
static inline double mo_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

static inline uint32_t mo_mulhi(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a * b) >> 32); }
static inline void mo_philox(uint64_t counter, uint64_t seed, uint32_t out[4]) {
  uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  for (int r = 0; r < 10; r++) {
    uint32_t lo0 = 0xD2511F53u * c0, hi0 = mo_mulhi(0xD2511F53u, c0);
    uint32_t lo1 = 0xCD9E8D57u * c2, hi1 = mo_mulhi(0xCD9E8D57u, c2);
    uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}
static inline double mo_uniform(uint64_t counter, uint64_t seed) {
  uint32_t w[4]; mo_philox(counter, seed, w); return (double)(w[0] >> 8) * (1.0 / 16777216.0);
}
static inline double mo_normal(uint64_t counter, uint64_t seed) {
  uint32_t w[4]; mo_philox(counter, seed, w);
  double u1 = ((double)(w[0] >> 8) + 1.0) * (1.0 / 16777216.0), u2 = (double)(w[1] >> 8) * (1.0 / 16777216.0);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
`;

/** OpenMP reductions for float max/min that propagate NaN, as the CPU dialect's reduction clauses name them. */
export const cOpenmpReductions = `#pragma omp declare reduction(mo_max_f : float : omp_out = (omp_in > omp_out || omp_in != omp_in) ? omp_in : omp_out) initializer(omp_priv = -INFINITY)
#pragma omp declare reduction(mo_min_f : float : omp_out = (omp_in < omp_out || omp_in != omp_in) ? omp_in : omp_out) initializer(omp_priv = INFINITY)
#pragma omp declare reduction(mo_max_d : double : omp_out = (omp_in > omp_out || omp_in != omp_in) ? omp_in : omp_out) initializer(omp_priv = -INFINITY)
#pragma omp declare reduction(mo_min_d : double : omp_out = (omp_in < omp_out || omp_in != omp_in) ? omp_in : omp_out) initializer(omp_priv = INFINITY)
`;

/** The CPU dialect's helpers: the C-family helpers and the OpenMP reductions. */
export const cHelpers = `${cFamilyHelpers}
${cOpenmpReductions}`;

/**
 * The GCC vector types of register tiles, one per width (8 floats: AVX2, 16: AVX-512), with an
 * unaligned load and a broadcast each. Kept apart from cHelpers: dialects without them omit it.
 */
export function cVectorHelpers(widths: readonly number[] = [8, 16]): string {
  return widths
    .flatMap((lanes) => [
      `typedef float mo_vf${lanes} __attribute__((vector_size(${lanes * 4}), aligned(${lanes * 4})));`,
      `static inline mo_vf${lanes} mo_loadv${lanes}(const float* p) { mo_vf${lanes} v; memcpy(&v, p, sizeof v); return v; }`,
      `static inline mo_vf${lanes} mo_bcastv${lanes}(float x) { return (mo_vf${lanes}){${Array(lanes).fill('x').join(', ')}}; }`,
    ])
    .concat('')
    .join('\n');
}

/** The vector types the C dialect's preamble carries (both widths), built once. */
export const cVectorTypes = cVectorHelpers();

/** `source` with the shared helpers (scalar and vector) replaced by `note`: for people reading kernels. */
export function elideCHelpers(source: string, note = '/* MetaOp C helpers and vector types (packages/compiler/src/render/c-helpers.ts) omitted */\n'): string {
  return source.replace(cHelpers, note).replace(cVectorTypes, '');
}

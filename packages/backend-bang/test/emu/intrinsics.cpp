// Checks every intrinsic of bang_emu.h against a scalar definition written out here; prints one
// "ok <name>" or "FAIL <name>: <why>" line per check. Built in strict mode by emulator.test.ts.
#include "bang_emu.h"

__nram__ char nram[65536];
static float* slot(int k) { return (float*)(nram + k * 4096); }  // 1024 floats per slot
static int failures = 0;

static void report(const char* name, bool ok, const char* why = "") {
  printf(ok ? "ok %s\n" : "FAIL %s: %s\n", name, why);
  if (!ok) failures++;
}

static float input(int i, int salt) { return (float)((i * 37 + salt * 11) % 23) * 0.25f - 2.5f; }

static bool same(float a, float b) { return (isnan(a) && isnan(b)) || a == b || fabsf(a - b) <= 1e-6f * fabsf(b); }

#define CHECK_LOOP(name, n, got, want)                    \
  do {                                                    \
    bool ok_ = true;                                      \
    for (int i = 0; i < (n); i++) ok_ = ok_ && same((got), (want)); \
    report(name, ok_);                                    \
  } while (0)

int main() {
  bang_emu_set_nram(nram, sizeof nram);
  const int n = 128;
  float *a = slot(0), *b = slot(1), *d = slot(2);
  float ga[n], gb[n];  // GDRAM stand-ins
  for (int i = 0; i < n; i++) ga[i] = input(i, 1), gb[i] = input(i, 2) + (i % 5 == 0 ? 0.0f : 0.125f);

  __memcpy(a, ga, n * 4, GDRAM2NRAM);
  __memcpy(b, gb, n * 4, GDRAM2NRAM);
  CHECK_LOOP("__memcpy GDRAM2NRAM", n, a[i], ga[i]);
  float back[n];
  __memcpy(back, a, n * 4, NRAM2GDRAM);
  CHECK_LOOP("__memcpy NRAM2GDRAM", n, back[i], ga[i]);

  __bang_add(d, a, b, n); CHECK_LOOP("__bang_add", n, d[i], ga[i] + gb[i]);
  __bang_sub(d, a, b, n); CHECK_LOOP("__bang_sub", n, d[i], ga[i] - gb[i]);
  __bang_mul(d, a, b, n); CHECK_LOOP("__bang_mul", n, d[i], ga[i] * gb[i]);
  __bang_maxequal(d, a, b, n); CHECK_LOOP("__bang_maxequal", n, d[i], ga[i] > gb[i] ? ga[i] : gb[i]);
  __bang_minequal(d, a, b, n); CHECK_LOOP("__bang_minequal", n, d[i], ga[i] < gb[i] ? ga[i] : gb[i]);
  __memcpy(d, a, n * 4, NRAM2NRAM);
  __bang_mul(d, d, b, n); CHECK_LOOP("__bang_mul (dst aliases src)", n, d[i], ga[i] * gb[i]);
  __bang_add_scalar(d, a, 1.5f, n); CHECK_LOOP("__bang_add_scalar", n, d[i], ga[i] + 1.5f);
  __bang_sub_scalar(d, a, 1.5f, n); CHECK_LOOP("__bang_sub_scalar", n, d[i], ga[i] - 1.5f);
  __bang_mul_scalar(d, a, -3.0f, n); CHECK_LOOP("__bang_mul_scalar", n, d[i], ga[i] * -3.0f);

  __bang_active_relu(d, a, n); CHECK_LOOP("__bang_active_relu", n, d[i], ga[i] > 0 ? ga[i] : 0.0f);
  __bang_active_exp(d, a, n); CHECK_LOOP("__bang_active_exp", n, d[i], expf(ga[i]));
  __bang_active_log(d, b, n); CHECK_LOOP("__bang_active_log", n, d[i], logf(gb[i]));
  __bang_active_sigmoid(d, a, n); CHECK_LOOP("__bang_active_sigmoid", n, d[i], 1.0f / (1.0f + expf(-ga[i])));
  __bang_active_tanh(d, a, n); CHECK_LOOP("__bang_active_tanh", n, d[i], tanhf(ga[i]));
  __bang_active_sqrt(d, a, n); CHECK_LOOP("__bang_active_sqrt", n, d[i], sqrtf(ga[i]));
  __bang_active_abs(d, a, n); CHECK_LOOP("__bang_active_abs", n, d[i], fabsf(ga[i]));
  __bang_recip(d, b, n); CHECK_LOOP("__bang_recip", n, d[i], 1.0f / gb[i]);
  __bang_active_recip(d, b, n); CHECK_LOOP("__bang_active_recip", n, d[i], 1.0f / gb[i]);

  // NaN: relu gives 0 (like where(x > 0, x, 0)); maxequal/minequal let the number win.
  a[3] = NAN;
  __bang_active_relu(d, a, n); report("__bang_active_relu NaN -> 0", d[3] == 0.0f);
  __bang_maxequal(d, a, b, n); report("__bang_maxequal NaN operand loses", d[3] == gb[3]);
  __bang_minequal(d, a, b, n); report("__bang_minequal NaN operand loses", d[3] == gb[3]);
  a[3] = ga[3];

  __bang_write_zero(d, n); CHECK_LOOP("__bang_write_zero", n, d[i], 0.0f);
  __bang_write_value(d, n, 2.5f); CHECK_LOOP("__bang_write_value", n, d[i], 2.5f);

  // Cycle ops: src of 256, segment of 64 repeated.
  float* big = slot(3);
  float* seg = slot(5);
  for (int i = 0; i < 256; i++) big[i] = input(i, 3);
  for (int i = 0; i < 64; i++) seg[i] = input(i, 4);
  float* out = slot(6);
  __bang_cycle_add(out, big, seg, 256, 64); CHECK_LOOP("__bang_cycle_add", 256, out[i], big[i] + seg[i % 64]);
  __bang_cycle_sub(out, big, seg, 256, 64); CHECK_LOOP("__bang_cycle_sub", 256, out[i], big[i] - seg[i % 64]);
  __bang_cycle_mul(out, big, seg, 256, 64); CHECK_LOOP("__bang_cycle_mul", 256, out[i], big[i] * seg[i % 64]);

  // Strided copy: segnum + 1 segments; a source stride of 0 repeats one row (broadcast staging).
  float row[10];
  for (int i = 0; i < 10; i++) row[i] = (float)i;
  __memcpy(out, row, 10 * 4, GDRAM2NRAM, 10 * 4, 0, 31);
  CHECK_LOOP("__memcpy strided (src stride 0 repeats)", 320, out[i], (float)(i % 10));
  float grid[4 * 8];
  for (int i = 0; i < 32; i++) grid[i] = (float)i;
  __memcpy(out, grid, 2 * 4, GDRAM2NRAM, 2 * 4, 8 * 4, 3);  // column pair of each of 4 rows
  CHECK_LOOP("__memcpy strided (gather rows)", 8, out[i], (float)((i / 2) * 8 + i % 2));

  // Sum pooling over HWC, C = 32 floats (one 128-byte block): H 2, W 4, window 2x2, stride 1.
  float* pin = slot(7);
  for (int i = 0; i < 2 * 4 * 32; i++) pin[i] = input(i, 5);
  float* pout = slot(9);
  __bang_sumpool(pout, pin, 32, 2, 4, 2, 2, 1, 1);
  {
    bool ok = true;
    for (int x = 0; x < 3; x++)
      for (int c = 0; c < 32; c++) {
        float want = 0;
        for (int y = 0; y < 2; y++)
          for (int k = 0; k < 2; k++) want += pin[(y * 4 + x + k) * 32 + c];
        ok = ok && same(pout[x * 32 + c], want);
      }
    report("__bang_sumpool 2x2 window", ok);
  }
  // MetaOp's row sum: pool a whole row of W blocks, then reduce the 32 lanes.
  __bang_sumpool(pout, pin, 32, 1, 8, 1, 8, 1, 1);
  __bang_reduce_sum(pout, pout, 32);
  {
    float want = 0;
    for (int i = 0; i < 256; i++) want += pin[i];
    report("__bang_sumpool + __bang_reduce_sum (row sum)", fabsf(pout[0] - want) <= 1e-4f);
  }

  // reduce_sum: each 128-byte block's sum lands in the block's first element; other lanes are
  // undefined (NaN in strict mode).
  __bang_reduce_sum(d, a, n);
  {
    bool ok = true, poisoned = true;
    for (int blk = 0; blk < n; blk += 32) {
      float want = 0;
      for (int i = 0; i < 32; i++) want += ga[blk + i];
      ok = ok && fabsf(d[blk] - want) <= 1e-5f;
      for (int i = 1; i < 32; i++) poisoned = poisoned && isnan(d[blk + i]);
    }
    report("__bang_reduce_sum float: block sums at block starts", ok);
    report("__bang_reduce_sum float: other lanes undefined (NaN)", poisoned);
  }
#if defined(__FLT16_MAX__)
  {
    half* h = (half*)slot(10);
    half* hd = (half*)slot(11);
    for (int i = 0; i < 128; i++) h[i] = (half)(float)(i % 7);
    __bang_reduce_sum(hd, h, 128);  // two blocks of 64 halves
    float w0 = 0, w1 = 0;
    for (int i = 0; i < 64; i++) w0 += (float)(i % 7), w1 += (float)((i + 64) % 7);
    report("__bang_reduce_sum half: 64 halves per block", (float)hd[0] == w0 && (float)hd[64] == w1 && isnan((float)hd[1]));
  }
#endif

  // argmax/argmin: value in dst[0], uint32 index right after it. Padding lanes hold -inf/+inf.
  for (int i = 0; i < 64; i++) d[i] = (i < 50) ? input(i, 6) : -INFINITY;
  d[17] = 9.0f, d[41] = 9.0f;  // tie: the first index wins
  float* r = slot(12);
  __bang_argmax(r, d, 64);
  uint32_t idx;
  memcpy(&idx, (char*)r + sizeof(float), 4);
  report("__bang_argmax float: value then uint32 index", r[0] == 9.0f && idx == 17 && ((uint32_t*)r)[1] == 17);
  __bang_max(r, d, 64);
  memcpy(&idx, (char*)r + sizeof(float), 4);
  report("__bang_max (old name) same layout", r[0] == 9.0f && idx == 17);
  for (int i = 50; i < 64; i++) d[i] = INFINITY;
  d[23] = -9.0f;
  __bang_argmin(r, d, 64);
  memcpy(&idx, (char*)r + sizeof(float), 4);
  report("__bang_argmin float", r[0] == -9.0f && idx == 23);
#if defined(__FLT16_MAX__)
  {
    half* h = (half*)slot(13);
    for (int i = 0; i < 64; i++) h[i] = (half)(float)(i == 45 ? 7 : i % 5);
    half* hr = (half*)slot(14);
    __bang_argmax(hr, h, 64);
    uint32_t hidx;
    memcpy(&hidx, (uint16_t*)hr + 1, 4);
    report("__bang_argmax half: index at (uint16_t*)dst + 1", (float)hr[0] == 7.0f && hidx == 45);
  }
#endif

  // Launch: task variables for Block and Union launches.
  static int seen[64][8];
  int count = 0;
  cnrtDim3_t dim = {3, 2, 1};
  bang_emu_launch(dim, cnrtFuncTypeBlock, nram, sizeof nram, [&] {
    int* s = seen[count++];
    s[0] = taskId, s[1] = taskIdX, s[2] = taskIdY, s[3] = taskDim, s[4] = coreId, s[5] = coreDim, s[6] = clusterId, s[7] = clusterDim;
  });
  {
    bool ok = count == 6;
    for (int t = 0; t < count; t++)
      ok = ok && seen[t][0] == t && seen[t][1] == t % 3 && seen[t][2] == t / 3 && seen[t][3] == 6 && seen[t][4] == 0 && seen[t][5] == 1 && seen[t][7] == 0;
    report("launch Block 3x2: taskId = y*dimX + x, coreDim 1, clusterDim 0", ok);
  }
  count = 0;
  dim = {8, 1, 1};
  int rc = bang_emu_launch(dim, cnrtFuncTypeUnion1, nram, sizeof nram, [&] {
    int* s = seen[count++];
    s[0] = taskId, s[3] = taskDim, s[4] = coreId, s[5] = coreDim, s[6] = clusterId, s[7] = clusterDim;
  });
  {
    bool ok = rc == 0 && count == 8;
    for (int t = 0; t < count; t++)
      ok = ok && seen[t][0] == t && seen[t][3] == 8 && seen[t][4] == t % 4 && seen[t][5] == 4 && seen[t][6] == t / 4 && seen[t][7] == 2;
    report("launch Union1 x8: coreId = taskId % 4, clusterId = taskId / 4, clusterDim 2", ok);
  }
  // Stale NRAM: strict mode fills NRAM with NaN bytes when a launch starts.
  nram[0] = 0;
  bang_emu_launch(dim, cnrtFuncTypeUnion1, nram, sizeof nram, [&] {
    if (taskId == 0) count = isnan(((float*)nram)[0]) ? 1 : 0;
  });
  report("launch fills NRAM with NaN bytes", count == 1);

  printf("failures %d\n", failures);
  return failures == 0 ? 0 : 1;
}

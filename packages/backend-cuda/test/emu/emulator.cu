// Emulator checks, built by the host C++ compiler against cuda_emu.h: a shared-memory tree
// reduction across __syncthreads (wrong without a real barrier), atomics from many blocks, and
// (argument "divergent") a barrier that only half a block reaches, which must be reported. Argument
// "shuffle" prints __shfl_down_sync / __shfl_xor_sync results of two warps (int and double);
// "shuffle-divergent", "shuffle-mask" and "shared-oob" must report their errors.
#include "cuda_emu.h"

__global__ void block_sum(const float* x, float* out, int n) {
  __shared__ float part[128];
  const unsigned t = threadIdx.x;
  float s = 0;
  for (int i = blockIdx.x * blockDim.x + t; i < n; i += blockDim.x * gridDim.x) s += x[i];
  part[t] = s;
  __syncthreads();
  for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
    if (t < half) part[t] += part[t + half];
    __syncthreads();
  }
  if (t == 0) atomicAdd(out, part[0]);
}

__global__ void divergent(float* out) {
  if (threadIdx.x < 16) __syncthreads();
  out[threadIdx.x] = 1;
}

extern "C" int run_sum(const float* x, float* out, int n) {
  MO_LAUNCH(dim3(3), dim3(128), block_sum(x, out, n));
  return 0;
}

extern "C" int run_divergent(float* out) {
  MO_LAUNCH(dim3(1), dim3(32), divergent(out));
  return 0;
}

__global__ void shuffles(int* down, int* xr, double* dd) {
  const int t = threadIdx.x;
  const int v = 1000 * t + 7;
  down[t] = __shfl_down_sync(0xffffffffu, v, 5);
  xr[t] = __shfl_xor_sync(0xffffffffu, v, 6);
  // A value changed between two shuffles: each one exchanges the values of its own call.
  const double w = __shfl_down_sync(0xffffffffu, 0.5 * t, 1);
  dd[t] = __shfl_xor_sync(0xffffffffu, w + 0.25, 1);
}

__global__ void shuffle_divergent(int* out) {
  int v = threadIdx.x;
  if (threadIdx.x < 16) v = __shfl_down_sync(0xffffffffu, v, 1);
  out[threadIdx.x] = v;
}

__global__ void shuffle_mask(int* out) {
  out[threadIdx.x] = __shfl_down_sync(0x0000ffffu, (int)threadIdx.x, 1);
}

__global__ void shared_oob(float* out) {
  MO_SHARED(float, cells, 4);
  cells[threadIdx.x] = 1.0f;
  __syncthreads();
  out[threadIdx.x] = cells[0];
}

extern "C" int run_shuffles(int* down, int* xr, double* dd) {
  MO_LAUNCH(dim3(2), dim3(64), shuffles(down, xr, dd));
  return 0;
}

extern "C" int run_shuffle_divergent(int* out) {
  MO_LAUNCH(dim3(1), dim3(32), shuffle_divergent(out));
  return 0;
}

extern "C" int run_shuffle_mask(int* out) {
  MO_LAUNCH(dim3(1), dim3(32), shuffle_mask(out));
  return 0;
}

extern "C" int run_shared_oob(float* out) {
  MO_LAUNCH(dim3(1), dim3(8), shared_oob(out));
  return 0;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "shuffle") == 0) {
    int down[64], xr[64];
    double dd[64];
    int rc = run_shuffles(down, xr, dd);
    printf("rc=%d error=%s\n", rc, cuda_emu_last_error());
    for (int t = 0; t < 64; t++) printf("%d %d %d %.17g\n", t, down[t], xr[t], dd[t]);
    return 0;
  }
  if (strcmp(mode, "shuffle-divergent") == 0 || strcmp(mode, "shuffle-mask") == 0 || strcmp(mode, "shared-oob") == 0) {
    int out[32];
    float f[8];
    int rc = strcmp(mode, "shuffle-divergent") == 0 ? run_shuffle_divergent(out) : strcmp(mode, "shared-oob") == 0 ? run_shared_oob(f) : run_shuffle_mask(out);
    printf("rc=%d error=%s\n", rc, cuda_emu_last_error());
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "divergent") == 0) {
    float out[32];
    int rc = run_divergent(out);
    printf("rc=%d error=%s\n", rc, cuda_emu_last_error());
    return 0;
  }
  const int n = 1000;
  float x[n];
  double expect = 0;
  for (int i = 0; i < n; i++) { x[i] = (float)(i % 7) - 2.5f; expect += x[i]; }
  float out = 0;
  int rc = run_sum(x, &out, n);
  printf("rc=%d sum=%.3f expect=%.3f error=%s\n", rc, out, expect, cuda_emu_last_error());
  return 0;
}

// Emulator checks, built by the host C++ compiler against cuda_emu.h: a shared-memory tree
// reduction across __syncthreads (wrong without a real barrier), atomics from many blocks, and
// (argument "divergent") a barrier that only half a block reaches, which must be reported.
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

int main(int argc, char** argv) {
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

// One violation of the hardware's rules per run (argv[1] names it). In strict mode each must stop
// with a clear message: abort() outside a launch, a non-zero launch result inside one.
#include "bang_emu.h"

__nram__ char nram[256 * 1024];

int main(int argc, char** argv) {
  const char* c = argc > 1 ? argv[1] : "";
  float* a = (float*)nram;
  bang_emu_set_nram(nram, sizeof nram);
  static float gdram[1024];
  if (!strcmp(c, "count")) __bang_add(a, a, a, 100);
  else if (!strcmp(c, "offset")) __bang_add(a + 16, a, a, 64);
  else if (!strcmp(c, "gdram-operand")) __bang_add(a, gdram, a, 64);
  else if (!strcmp(c, "past-nram")) __bang_write_zero(a + 65536 - 64, 128);
  else if (!strcmp(c, "memcpy-past-nram")) __memcpy(a + 65536 - 8, gdram, 64, GDRAM2NRAM);
  else if (!strcmp(c, "cycle")) __bang_cycle_add(a, a, a + 512, 128, 192);
  else if (!strcmp(c, "reduce-block")) __bang_reduce_sum(a, a, 16);
  else if (!strcmp(c, "budget")) {
    __nram__ char huge[450 * 1024];
    cnrtDim3_t dim = {4, 1, 1};
    int rc = bang_emu_launch(dim, cnrtFuncTypeUnion1, huge, sizeof huge, [&] {});
    printf("launch returned %d: %s\n", rc, bang_emu_last_error());
    return 3;
  } else if (!strcmp(c, "union-dim")) {
    cnrtDim3_t dim = {6, 1, 1};
    int rc = bang_emu_launch(dim, cnrtFuncTypeUnion1, nram, sizeof nram, [&] {});
    printf("launch returned %d: %s\n", rc, bang_emu_last_error());
    return 3;
  } else if (!strcmp(c, "in-launch")) {
    cnrtDim3_t dim = {4, 1, 1};
    int tasks = 0;
    int rc = bang_emu_launch(dim, cnrtFuncTypeUnion1, nram, sizeof nram, [&] {
      tasks++;
      if (taskId == 2) __bang_mul(a, a, a, 96);
    });
    printf("launch returned %d after %d tasks: %s\n", rc, tasks, bang_emu_last_error());
    return 3;
  }
  printf("no violation stopped the program\n");
  return 0;
}

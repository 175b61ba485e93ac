/* The MetaOp MPI shim: plain int/pointer functions over Open MPI, so koffi needs no MPI types
 * (Open MPI's MPI_COMM_WORLD and MPI_FLOAT are addresses of exported symbols, not constants).
 * Every function returns an MPI error code (0 = MPI_SUCCESS); the communicator returns errors
 * instead of aborting, so the caller can name what failed before ending the job. */
#include <mpi.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#define MO_MAX_REQUESTS 256

static MPI_Request requests[MO_MAX_REQUESTS];
static int request_used[MO_MAX_REQUESTS];

/* dtype codes: 0 float32, 1 float64, 2 int32, 3 uint8 (and bool). */
static MPI_Datatype dtype_of(int code) {
  switch (code) {
    case 0: return MPI_FLOAT;
    case 1: return MPI_DOUBLE;
    case 2: return MPI_INT32_T;
    default: return MPI_UINT8_T;
  }
}
static int size_of(int code) { return code == 1 ? 8 : code == 3 ? 1 : 4; }
/* op codes: 0 sum, 1 max, 2 min. */
static MPI_Op op_of(int code) { return code == 1 ? MPI_MAX : code == 2 ? MPI_MIN : MPI_SUM; }

int mo_init(void) {
  int done = 0;
  MPI_Initialized(&done);
  if (done) return 0;
  /* Open MPI loads its components with dlopen; they need libmpi's symbols global, and koffi
   * opened this shim (and so libmpi) RTLD_LOCAL. Re-open libmpi RTLD_GLOBAL first, as mpi4py does. */
  if (!dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD)) dlopen("libmpi.so", RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  int provided = 0;
  int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
  if (rc != MPI_SUCCESS) return rc;
  return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

int mo_initialized(void) { int f = 0; MPI_Initialized(&f); return f; }
int mo_finalized(void) { int f = 0; MPI_Finalized(&f); return f; }
int mo_finalize(void) { return mo_finalized() ? 0 : MPI_Finalize(); }
int mo_rank(void) { int r = -1; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
int mo_size(void) { int s = -1; MPI_Comm_size(MPI_COMM_WORLD, &s); return s; }
int mo_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
int mo_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }

int mo_error_string(int code, char *out, int capacity) {
  int len = 0;
  char text[MPI_MAX_ERROR_STRING];
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) len = 0;
  text[len < MPI_MAX_ERROR_STRING ? len : MPI_MAX_ERROR_STRING - 1] = 0;
  strncpy(out, text, (size_t)capacity - 1);
  out[capacity - 1] = 0;
  return 0;
}

/* In-place all-reduce of `count` elements; counts above INT_MAX go in pieces. */
int mo_allreduce(void *buf, int64_t count, int dtype, int op) {
  char *p = (char *)buf;
  while (count > 0) {
    int n = count > INT_MAX ? INT_MAX : (int)count;
    int rc = MPI_Allreduce(MPI_IN_PLACE, p, n, dtype_of(dtype), op_of(op), MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) return rc;
    p += (int64_t)n * size_of(dtype);
    count -= n;
  }
  return 0;
}

/* Starts an in-place all-reduce (count <= INT_MAX); writes a handle for mo_wait into *handle. */
int mo_iallreduce(void *buf, int64_t count, int dtype, int op, int *handle) {
  if (count > INT_MAX) return MPI_ERR_COUNT;
  for (int h = 0; h < MO_MAX_REQUESTS; h++) {
    if (request_used[h]) continue;
    int rc = MPI_Iallreduce(MPI_IN_PLACE, buf, (int)count, dtype_of(dtype), op_of(op), MPI_COMM_WORLD, &requests[h]);
    if (rc != MPI_SUCCESS) return rc;
    request_used[h] = 1;
    *handle = h;
    return 0;
  }
  return MPI_ERR_REQUEST;
}

/* 1 when the request has finished (it is then released), 0 when not yet: also drives progress. */
int mo_test(int handle, int *flag) {
  if (handle < 0 || handle >= MO_MAX_REQUESTS || !request_used[handle]) return MPI_ERR_REQUEST;
  int rc = MPI_Test(&requests[handle], flag, MPI_STATUS_IGNORE);
  if (rc == MPI_SUCCESS && *flag) request_used[handle] = 0;
  return rc;
}

int mo_wait(int handle) {
  if (handle < 0 || handle >= MO_MAX_REQUESTS || !request_used[handle]) return MPI_ERR_REQUEST;
  request_used[handle] = 0;
  return MPI_Wait(&requests[handle], MPI_STATUS_IGNORE);
}

int mo_bcast(void *buf, int64_t bytes, int root) {
  char *p = (char *)buf;
  while (bytes > 0) {
    int n = bytes > INT_MAX ? INT_MAX : (int)bytes;
    int rc = MPI_Bcast(p, n, MPI_BYTE, root, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) return rc;
    p += n;
    bytes -= n;
  }
  return 0;
}

/* For the benchmark: the wall time of `iters` MPI_Allreduce calls on a float buffer, from C. */
double mo_bench_allreduce(float *buf, int count, int iters) {
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  for (int i = 0; i < iters; i++) MPI_Allreduce(MPI_IN_PLACE, buf, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  return MPI_Wtime() - t0;
}

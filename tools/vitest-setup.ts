// Registers every backend package in each test worker, so METAOP_BACKEND=<name> selects any of
// them for the whole suite (tests that name a backend still use that one).
import '@metaop/backend-js';
import '@metaop/backend-c';

try {
  await import('@metaop/backend-bang');
} catch {
  // the BANG backend is optional in a checkout that predates it
}

try {
  await import('@metaop/backend-cuda');
} catch {
  // the CUDA backend is optional in a checkout that predates it
}

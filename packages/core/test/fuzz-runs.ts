// Case counts of the fuzz properties: the CI default, or METAOP_FUZZ_RUNS for a long run.
// (Core cannot import @metaop/ops/testing, which holds the same rule for the other packages.)
export function fuzzRuns(ciDefault: number): number {
  const n = Number(process.env.METAOP_FUZZ_RUNS);
  return Number.isSafeInteger(n) && n > 0 ? n : ciDefault;
}

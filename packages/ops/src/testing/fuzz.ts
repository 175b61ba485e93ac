// Case counts of the fuzz properties: the CI default, or METAOP_FUZZ_RUNS=N for a long run.
export function fuzzRuns(ciDefault: number): number {
  const n = Number((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.METAOP_FUZZ_RUNS);
  return Number.isSafeInteger(n) && n > 0 ? n : ciDefault;
}

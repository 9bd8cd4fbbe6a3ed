/**
 * Fixed seeds for fast-check, so every run checks the same cases. On failure fast-check prints
 * the seed and the path of the counterexample; replay (or explore other cases) with FC_SEED.
 */
export function seeded(seed: number, numRuns: number): { seed: number; numRuns: number } {
  const fromEnv = process.env.FC_SEED;
  return { seed: fromEnv === undefined ? seed : Number(fromEnv), numRuns };
}

/**
 * Restart back-off for the database processes this gateway supervises (PostgreSQL, FerretDB):
 * 0.5 s, 1 s, 2 s ... at most 10 s, each scaled by a random factor in [0.8, 1.2) so that gateways
 * restarting after one shared cause do not retry in lock-step.
 */
export function restartDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.round(Math.min(500 * 2 ** attempt, 10_000) * (0.8 + 0.4 * random()));
}

/** A process that has stayed up this long resets the back-off to its first step. */
export const STABLE_MS = 30_000;

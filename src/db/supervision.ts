import { readFileSync } from 'node:fs';

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

/**
 * Stops a server its killed watchdog left running (SIGKILL: the watchdog's trap never ran), named
 * by the pid in `pidFile`, and waits until it is gone (at most 5 s, then SIGKILL), so that the
 * restart that follows does not meet it on its port, socket or data folder. Only a live process
 * whose command line has `marker` is, so a pid reused by another process is left alone.
 */
export async function stopOrphanedServer(pidFile: string, marker: string, signal: NodeJS.Signals): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0) return;
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(marker)) return;
    process.kill(pid, signal);
  } catch {
    return; // no pid file, no such process, or not Linux: nothing to stop
  }
  const deadline = Date.now() + 5000;
  while (running(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether `pid` is a live process (a zombie, exited and not yet reaped by its new parent, is not). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

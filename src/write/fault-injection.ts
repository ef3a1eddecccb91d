/**
 * TEST-ONLY fault injection for a real gateway process: it kills itself with SIGKILL between two
 * writes of an operation, a crash with no cleanup (no response, no lock release, no journal
 * update), so that a test can check the next start repairs it (test/e2e/crash-kill.test.ts).
 *
 * Off unless explicitly enabled, and refused in production:
 *
 * - `ENABLE_FAULT_INJECTION`: `1`/`true` turns it on. Unset or false: every `FAULT_*` variable is
 *   ignored. Set to true with `NODE_ENV=production`: the gateway refuses to start (ConfigError).
 * - `FAULT_KILL_AFTER_EFFECT=<n>` (required when on): once effect number `n` (1-based, in journal
 *   order) of an operation has been written, the process kills itself with SIGKILL. The first
 *   operation with at least `n` effects triggers it, whatever its kind, including an operation
 *   resumed at start-up.
 * - `FAULT_KILL_AT_SANDBOX_STEP=<step>[#<n>]` (instead of, or with, the above): the process kills
 *   itself the n-th time (default the first) it reaches that step of a sandbox snapshot or
 *   restore: `snapshot:chunks-written` (createSandbox's own snapshot counts),
 *   `restore:deleted` or `restore:first-chunk` (test/e2e/sandbox-crash.test.ts).
 */
import { ConfigError, type Mode } from '../shared/config.js';
import type { WriteFaults } from './deps.js';

export const ENABLE_FAULT_INJECTION = 'ENABLE_FAULT_INJECTION';
export const FAULT_KILL_AFTER_EFFECT = 'FAULT_KILL_AFTER_EFFECT';
export const FAULT_KILL_AT_SANDBOX_STEP = 'FAULT_KILL_AT_SANDBOX_STEP';
const SANDBOX_STEPS = ['snapshot:chunks-written', 'restore:deleted', 'restore:first-chunk'];

export interface FaultInjection {
  faults: WriteFaults;
  /** One sentence for the start-up warning. */
  description: string;
}

/** What the process does at the fault; a real SIGKILL of itself unless a unit test passes another. */
export type Kill = () => void;

const killSelf: Kill = () => {
  process.kill(process.pid, 'SIGKILL');
};

/**
 * Pure: reads the fault injection variables from `env`; undefined (no hooks) unless
 * ENABLE_FAULT_INJECTION is true. Throws ConfigError when it is true in production, or when it is
 * on without a valid FAULT_KILL_AFTER_EFFECT.
 */
export function faultInjectionFromEnv(
  env: Record<string, string | undefined>,
  mode: Mode,
  kill: Kill = killSelf,
): FaultInjection | undefined {
  const enabled = env[ENABLE_FAULT_INJECTION]?.trim() ?? '';
  if (enabled === '' || /^(0|false|no|off)$/i.test(enabled)) return undefined;
  if (!/^(1|true|yes|on)$/i.test(enabled)) {
    throw new ConfigError(`${ENABLE_FAULT_INJECTION} must be true or false, but got '${env[ENABLE_FAULT_INJECTION]}'`);
  }
  if (mode === 'production') {
    throw new ConfigError(
      `${ENABLE_FAULT_INJECTION} must not be set in production (NODE_ENV=production): it makes the gateway kill itself`,
    );
  }
  const rawStep = env[FAULT_KILL_AT_SANDBOX_STEP]?.trim() ?? '';
  const [step = '', nth = '1'] = rawStep.split('#');
  if (rawStep !== '' && (!SANDBOX_STEPS.includes(step) || !/^[1-9]\d{0,3}$/.test(nth))) {
    throw new ConfigError(
      `${FAULT_KILL_AT_SANDBOX_STEP} must be one of ${SANDBOX_STEPS.join(', ')}, optionally followed by #<n> (the n-th time), but got '${rawStep}'`,
    );
  }
  let reached = 0;
  const atSandboxStep = (at: string) => {
    if (at === step && ++reached === Number(nth)) kill();
  };
  const raw = env[FAULT_KILL_AFTER_EFFECT]?.trim() ?? '';
  const n = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (step !== '' && raw === '') {
    return {
      faults: { atSandboxStep },
      description: `fault injection is on (${ENABLE_FAULT_INJECTION}, tests only): the process kills itself with SIGKILL at sandbox step ${rawStep}`,
    };
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(
      `${FAULT_KILL_AFTER_EFFECT} must be a positive integer (the effect after which the process kills itself) when ${ENABLE_FAULT_INJECTION} is on, but got '${env[FAULT_KILL_AFTER_EFFECT] ?? ''}'`,
    );
  }
  return {
    faults: {
      afterEffect(_operationId, index) {
        if (index === n - 1) kill();
      },
      ...(step === '' ? {} : { atSandboxStep }),
    },
    description: `fault injection is on (${ENABLE_FAULT_INJECTION}, tests only): the process kills itself with SIGKILL after effect ${n} of the next operation that has one`,
  };
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Collections } from '../db/collections.js';
import type { Logger } from '../shared/logger.js';

/** Test hooks: `afterEffect` runs after each applied effect, so a test can simulate a crash between two writes by throwing. */
export interface WriteFaults {
  afterEffect?(operationId: string, index: number): void;
  /** After a named step of a sandbox snapshot or restore (src/sandbox/snapshot.repository.ts). */
  atSandboxStep?(step: string): void;
}

/** What the write path needs; built once in the composition root (src/app/server.ts) and shared by all requests. */
export interface WriteDeps {
  collections: Collections;
  log: Logger;
  /** Lease of a customer lock, in wall-clock milliseconds. @default DEFAULT_LOCK_LEASE_MS */
  lockLeaseMs?: number;
  faults?: WriteFaults;
  /** ADVANCE_CLOCK_BUDGET_MS: the wall time one advanceClock call works for. @default DEFAULT_ADVANCE_BUDGET_MS */
  advanceBudgetMs?: number;
  /** Names this gateway instance in lock holders. @default `<hostname>:<pid>` */
  holderId?: string;
  /**
   * Called after an operation with events was applied (or finished by resumePending), with its
   * partner: this instance's event feed (src/event/event-feed.ts) reads at once instead of at its
   * next poll. Must not throw; other instances learn of the events by following the log.
   */
  eventsWritten?(partnerId: string): void;
  /**
   * EVENTS_ENABLED: false journals no events (neither derived from the effects nor decided by the
   * policy, like clock-advanced), for comparison runs. @default true
   */
  events?: boolean;
}

/** Tells `deps.eventsWritten` when `operation` journaled events. */
export function announceEvents(deps: Pick<WriteDeps, 'eventsWritten'>, operation: { partnerId: string; effects: unknown[] }): void {
  if (deps.eventsWritten && operation.effects.some((e) => (e as { kind?: string }).kind === 'event'))
    deps.eventsWritten(operation.partnerId);
}

/**
 * Short, because a holder renews its lease while it works (src/write/locks.ts `keepAlive`): a
 * crashed writer blocks its customer for about this long.
 */
export const DEFAULT_LOCK_LEASE_MS = 5_000;

/** How long one advanceClock call works before it answers with what it did and how to continue. */
export const DEFAULT_ADVANCE_BUDGET_MS = 8_000;

/** How long a writer waits for a customer lock held by someone else before answering CONFLICT. */
export const LOCK_WAIT_MS = 5_000;

/** A holder name unique to one acquisition: `<instance>/<random>`, so two operations of one instance never share a lease. */
export function uniqueHolder(deps: Pick<WriteDeps, 'holderId'>): string {
  return `${deps.holderId ?? `${hostname()}:${process.pid}`}/${randomUUID()}`;
}

declare module '../shared/context.js' {
  interface Context {
    /** For runOperation (src/write/run-operation.ts). */
    write: WriteDeps;
  }
}

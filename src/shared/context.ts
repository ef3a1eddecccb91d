import type { Collections } from '../db/collections.js';
import type { Caller } from './auth.js';
import { DEFAULT_SOFTWARE_CANCEL_DELAY_MS } from './config.js';
import type { Logger } from './logger.js';

/*
 * The request context's type, on the ground floor so that every floor can name it; the factory
 * that builds it is the top floor's (src/app/context.ts). What only a higher floor knows joins the
 * type by declaration merging from the module that owns it, so this file imports nothing above:
 *
 *   declare module '../shared/context.js' {
 *     interface RequestLoaders extends LazyLoaders<typeof customerLoaders> {}   // an entity's loaders
 *     interface Repositories { customers: CustomerRepository }                 // an entity's repository
 *     interface Context { write: WriteDeps }                                   // the write path's deps
 *   }
 *
 * Contract: every member merged in here is set by createContext (src/app/context.ts).
 */

/** One request's DataLoaders, by name: each entity's `*.loader.ts` merges its own in. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface RequestLoaders {}

/** The repositories a request reads through: each entity's `*.repository.ts` merges its own in. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface Repositories {}

/** Rule settings from the configuration (src/shared/config.ts), passed to the policy as data. */
export interface Settings {
  /** SW-CANCEL-DELAY: how long a software cancellation takes to show on its order. */
  softwareCancelDelayMs: number;
}

export const DEFAULT_SETTINGS: Settings = { softwareCancelDelayMs: DEFAULT_SOFTWARE_CANCEL_DELAY_MS };

/**
 * A business-rule refusal of one of this request's mutations (not ROLE_NOT_ALLOWED: that is a
 * FORBIDDEN error, seen in the response). A refusal writes nothing through the write path, so the
 * audit plugin records it when the response is sent (src/audit/refusal-audit.ts).
 */
export interface RefusalNote {
  operationType: string;
  customerId: string | null;
  rule: string;
  code: string;
  /** The refused mutation's arguments, for the audit record's target and input. */
  args: Record<string, unknown>;
}

export interface Context {
  caller: Caller;
  // What the request carries besides its caller: set when the context is built or by the plugins
  // that own them, read by runMutation and the audit plugin (no ambient request state).
  /** The request's X-Correlation-Id (incoming when valid, else made), stamped on its operations and audit records. */
  correlationId: string;
  /** The idempotency record this request claimed (src/app/idempotency.plugin.ts), stamped on its operations. */
  idempotencyKey?: string;
  /** This request's business-rule refusals, in order, for the audit plugin. */
  refusals: RefusalNote[];
  loaders: RequestLoaders;
  repositories: Repositories;
  /**
   * The collections for this request's reads, each command charged to its command budget
   * (src/limits/command-budget.ts). Writes go through `write` (runOperation), whose collections
   * are not budgeted.
   */
  collections: Collections;
  log: Logger;
  /** Rule settings from the configuration. */
  settings: Settings;
  /**
   * GEN-CLOCK: the caller's partner's simulation instant. Read from the database at most once per
   * request, on first use (memoised, failure included), so every field of one response is measured
   * against the same instant.
   */
  now(): Promise<Date>;
  /**
   * Reads the partner's clock afresh (a mutation does, under its customer lock, so it decides at
   * the clock as it is then) and makes it this request's `now()` from here on.
   */
  readClock(): Promise<Date>;
}

import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Collection } from 'mongodb';
import { wrapCollections, type Collections } from '../db/collections.js';
import { ClientError, RETRY_AFTER_SECONDS, serviceUnavailable } from '../shared/errors.js';

/*
 * Deadlines that are upper bounds (docs/security.md, "Limits"). Two bound every HTTP request:
 *
 * - the execution timeout (LIMIT_TIMEOUT_MS, default 10,000 ms, counted from the request's
 *   arrival), for queries: at the deadline the HTTP layer answers 503 TIMEOUT with Retry-After
 *   (src/app/graphql-http.ts, executeWithinDeadline) even if a resolver or database command is
 *   still running; that command is abandoned (the database is told to give up through `maxTimeMS`)
 *   and its result dropped, no further resolver starts and no further command is sent.
 * - the database wait (DB_TIMEOUT_MS, default 2,000 ms): a database command of a request that has
 *   waited this long while the database answered nothing at all (no command of any request of
 *   this instance: frozen, crashed or cut off) fails the request with 503 SERVICE_UNAVAILABLE and
 *   Retry-After, and every later command of the request fails at once. A database that is slow but
 *   answers (under load) is waited for, up to the execution deadline.
 *
 * Mutations are exempt from the execution timeout: a write already decided may have applied, so
 * hiding its outcome behind TIMEOUT would invite a retry. They are bounded before the write
 * starts: a mutation whose execution deadline passed before it started does not start (TIMEOUT);
 * one starts only once the database has answered a ping within the database wait (else 503
 * SERVICE_UNAVAILABLE, nothing written); its reads through the request's collections are bounded
 * by the database wait. Its write path (runOperation, unwrapped collections) is not cut.
 */

/**
 * When the database last answered a bounded read, for the whole instance (one per gateway): a
 * wait that outlasts DB_TIMEOUT_MS is the database's silence only if nothing else was answered
 * meanwhile either.
 */
export class DatabaseLiveness {
  lastAnswerAt = Date.now();
  /** Bounded commands sent and not yet settled (a dropped one counts until the database settles it). */
  private outstanding = 0;
  /** When `outstanding` last rose from 0: an idle instance's quiet is no silence of the database. */
  private waitingSince = Date.now();

  sent(): void {
    if (this.outstanding++ === 0) this.waitingSince = Date.now();
  }

  settled(answered: boolean): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (answered) this.lastAnswerAt = Date.now();
  }

  answered(): void {
    this.lastAnswerAt = Date.now();
  }

  /** How long the database has answered nothing while something waited on it (0 when nothing waits). */
  silentMs(): number {
    if (this.outstanding === 0) return 0;
    return Date.now() - Math.max(this.lastAnswerAt, this.waitingSince);
  }
}

/** One HTTP request's deadlines; it travels in the request context (`Context.deadline`). */
export class Deadline {
  /** When the request arrived (ms since the epoch). */
  readonly startedAt: number;
  /** LIMIT_TIMEOUT_MS. */
  readonly timeoutMs: number;
  /** DB_TIMEOUT_MS: the longest one database command of the request is waited for. */
  readonly databaseWaitMs: number;
  /** The operation is a mutation that has started: exempt from the execution timeout from then on. */
  private mutationStarted = false;
  /** The execution deadline was reached: the answer is TIMEOUT, and nothing more runs. */
  timedOut = false;
  /** A command waited `databaseWaitMs` in vain: later commands of the request fail at once. */
  databaseUnavailable = false;

  /** The instance's record of the database's answers. */
  private readonly liveness: DatabaseLiveness;

  /** A cheap round trip to the database (`ping`), asked before a mutation starts. */
  private readonly ping: () => Promise<unknown>;

  constructor(options: {
    timeoutMs: number;
    databaseWaitMs: number;
    liveness?: DatabaseLiveness;
    ping?: () => Promise<unknown>;
    startedAt?: number;
  }) {
    this.ping = options.ping ?? (async () => {});
    this.timeoutMs = options.timeoutMs;
    this.databaseWaitMs = options.databaseWaitMs;
    this.liveness = options.liveness ?? new DatabaseLiveness();
    this.startedAt = options.startedAt ?? Date.now();
  }

  /** Milliseconds left before the execution deadline; infinite once a mutation has started. */
  remainingMs(): number {
    return this.mutationStarted ? Number.POSITIVE_INFINITY : this.startedAt + this.timeoutMs - Date.now();
  }

  /**
   * A mutation is about to run: from now on it is exempt from the execution timeout, and it
   * waits until the database answers a ping (within the database wait, else SERVICE_UNAVAILABLE
   * before anything is written). Throws TIMEOUT instead when the deadline has already passed (the
   * HTTP layer may have answered), so a mutation never runs behind a TIMEOUT answer.
   */
  async startMutation(): Promise<void> {
    this.check();
    this.mutationStarted = true;
    await this.bound(() => this.ping());
  }

  /**
   * The execution deadline is reached: true when the request is to be answered TIMEOUT now (a
   * query, or a mutation that never started); false when a mutation runs, which is waited for.
   */
  cutOff(): boolean {
    if (this.mutationStarted) return false;
    this.timedOut = true;
    return true;
  }

  /**
   * Throws TIMEOUT once the execution deadline has passed (a query), else nothing. Marks the
   * request timed out as it throws, so whichever step finds the deadline passed (a resolver,
   * authentication, a database command) ends in the same one TIMEOUT answer, with Retry-After.
   */
  check(): void {
    if (this.timedOut || this.remainingMs() <= 0) {
      this.timedOut = true;
      throw this.timeout();
    }
  }

  /**
   * Runs one database command (or anything that waits on the database), bounded: at the
   * execution deadline it fails with TIMEOUT; after DB_TIMEOUT_MS in which the database answered
   * nothing (DatabaseLiveness), with SERVICE_UNAVAILABLE. Either way its eventual result is
   * dropped. `command` gets the time left (`maxTimeMS`), to tell a backend that honours it.
   */
  bound<T>(command: (maxTimeMS: number | undefined) => Promise<T>): Promise<T> {
    return this.race(command, true);
  }

  /**
   * Bounds a step that may wait on the database among other things (authentication, whose
   * partner may come from a cache): as `bound`, except that its success is no sign of the
   * database's life.
   */
  boundStep<T>(step: () => Promise<T>): Promise<T> {
    return this.race(step, false);
  }

  private async race<T>(command: (maxTimeMS: number | undefined) => Promise<T>, isDatabaseAnswer: boolean): Promise<T> {
    this.check();
    if (this.databaseUnavailable) throw serviceUnavailable();
    if (isDatabaseAnswer) this.liveness.sent();
    const pending = command(this.maxTimeMS());
    // Dropped when the wait ends first: its rejection must not surface as an unhandled one.
    pending.then(
      () => isDatabaseAnswer && this.liveness.settled(true),
      () => isDatabaseAnswer && this.liveness.settled(false),
    );
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      const arm = (waitMs: number) => {
        timer = setTimeout(() => {
          const silentMs = this.liveness.silentMs();
          if (this.remainingMs() <= 0) {
            this.timedOut = true;
            reject(this.timeout());
          } else if (silentMs < this.databaseWaitMs) {
            // Answering others: wait until it has been silent for the database wait.
            arm(Math.min(this.databaseWaitMs - silentMs, this.waitMs()));
          } else {
            this.databaseUnavailable = true;
            reject(serviceUnavailable());
          }
        }, waitMs);
      };
      arm(this.firstWaitMs());
    });
    try {
      return await Promise.race([pending, expired]);
    } catch (error) {
      // The database enforced the same execution deadline (maxTimeMS) a moment before the timer.
      if ((error as { code?: unknown } | null)?.code === MAX_TIME_MS_EXPIRED) {
        this.timedOut = true;
        throw this.timeout();
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The time left before the execution deadline, to send as a read's `maxTimeMS`; none once a mutation runs. */
  maxTimeMS(): number | undefined {
    return this.mutationStarted ? undefined : Math.max(1, Math.ceil(this.remainingMs()));
  }

  /**
   * A command's first wait: the database wait less how long the database has already been silent
   * while other commands waited on it (a request queued behind commands of a frozen database
   * fails at once, not one database wait later); or less when the execution deadline comes first.
   * When it ends, the database's silence decides (it answered others meanwhile: wait on).
   */
  private firstWaitMs(): number {
    return Math.max(1, Math.ceil(Math.min(this.databaseWaitMs - this.liveness.silentMs(), this.remainingMs())));
  }

  /** The next wait of a bounded command: the database wait, or less when the execution deadline comes first. */
  waitMs(): number {
    return Math.max(1, Math.ceil(Math.min(this.databaseWaitMs, this.remainingMs())));
  }

  timeout(): ClientError {
    return timeoutError(this.timeoutMs);
  }
}

/**
 * The collection methods a request's reads send that return a promise, with the index of their
 * options argument, or null where `maxTimeMS` is not sent: FerretDB 1.24 refuses it on `distinct`
 * ("unknown field"), while it honours it on find, aggregate and count (measured: error 50 at the limit).
 */
const READ_OPTIONS_AT: Readonly<Record<string, number | null>> = {
  findOne: 1,
  countDocuments: 1,
  distinct: null,
  estimatedDocumentCount: 0,
};

/** MaxTimeMSExpired: the database gave up on a read at the `maxTimeMS` it was sent. */
const MAX_TIME_MS_EXPIRED = 50;
/** The collection methods that return a cursor: its command is sent by the first `toArray`/`next`. */
const CURSOR_METHODS: ReadonlySet<string> = new Set(['find', 'aggregate']);
/** The cursor methods that wait on the database. */
const CURSOR_WAITS: ReadonlySet<PropertyKey> = new Set(['toArray', 'next', 'tryNext', 'hasNext']);

/**
 * The same collections, every read bounded by `deadline` (Deadline.bound) and sent with the time
 * left as `maxTimeMS`, so a backend that honours it gives up when the request does. Writes pass through
 * unbounded: a write cut off by a timer may still apply, and must not be reported as failed.
 */
export function deadlineCollections(cols: Collections, deadline: Deadline): Collections {
  return wrapCollections(cols, (collection) => boundedCollection(collection, deadline));
}

type AnyFunction = (...args: unknown[]) => unknown;

function boundedCollection<T extends Collection>(collection: T, deadline: Deadline): T {
  return new Proxy(collection, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const method = value as AnyFunction;
      const optionsAt = READ_OPTIONS_AT[property];
      if (optionsAt !== undefined) {
        return (...args: unknown[]) =>
          deadline.bound((maxTimeMS) => {
            const withTime = [...args];
            if (maxTimeMS !== undefined && optionsAt !== null) {
              withTime[optionsAt] = { ...(withTime[optionsAt] as object | undefined), maxTimeMS };
            }
            return method.apply(target, withTime) as Promise<unknown>;
          });
      }
      if (CURSOR_METHODS.has(property)) {
        return (...args: unknown[]) => {
          deadline.check();
          const cursor = method.apply(target, args) as { maxTimeMS(ms: number): unknown };
          // Its command is sent at once by the read path (toArray), so the time left now is its bound.
          const maxTimeMS = deadline.maxTimeMS();
          if (maxTimeMS !== undefined) cursor.maxTimeMS(maxTimeMS);
          return boundedCursor(cursor, deadline);
        };
      }
      return method.bind(target);
    },
  });
}

/** A cursor whose waits are bounded; its builder methods (sort, limit, project, map...) return the bounded cursor, not the raw one. */
function boundedCursor<T extends object>(cursor: T, deadline: Deadline): T {
  const proxy: T = new Proxy(cursor, {
    get(target, property) {
      if (property === Symbol.asyncIterator) {
        const next = (target as unknown as { next(): Promise<unknown> }).next.bind(target);
        return async function* () {
          for (let doc = await deadline.bound(next); doc !== null; doc = await deadline.bound(next)) yield doc;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as AnyFunction;
      if (CURSOR_WAITS.has(property)) {
        return (...args: unknown[]) => deadline.bound(() => method.apply(target, args) as Promise<unknown>);
      }
      return (...args: unknown[]) => {
        const result = method.apply(target, args);
        return result === target ? proxy : result;
      };
    },
  });
  return proxy;
}

/**
 * The execution timeout in Apollo: refuses a mutation that would start after its deadline, stops
 * field resolution once the deadline has passed, and turns the whole response into one TIMEOUT
 * error (HTTP 503, Retry-After) instead of partial data. The HTTP layer answers at the deadline
 * itself (executeWithinDeadline); this covers what it cannot see (a request without an HTTP
 * deadline runs with one made here, from the request's start).
 */
export function timeoutPlugin<C extends { deadline?: Deadline }>(timeoutMs: number): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const deadline = contextValue.deadline ?? new Deadline({ timeoutMs, databaseWaitMs: Number.POSITIVE_INFINITY });
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'mutation') await deadline.startMutation();
        },
        async executionDidStart({ operation }) {
          // Undefined (despite Apollo's type) when `operationName` names no operation of the document:
          // graphql-js then answers that itself, without resolving a field.
          if ((operation as typeof operation | undefined)?.operation === 'mutation') return;
          return {
            willResolveField() {
              deadline.check();
            },
          };
        },
        async willSendResponse({ response }) {
          if (!deadline.timedOut || response.body.kind !== 'single') return;
          response.body.singleResult = timeoutBody(deadline.timeoutMs);
          response.http.status = 503;
          response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}

/** The whole answer of a request cut off by its execution timeout. */
export function timeoutBody(timeoutMs: number): { data: null; errors: GraphQLFormattedError[] } {
  const error = timeoutError(timeoutMs);
  return { data: null, errors: [{ message: error.message, extensions: { code: 'TIMEOUT', timeoutMs } }] };
}

function timeoutError(timeoutMs: number): ClientError {
  return new ClientError('TIMEOUT', `The query must finish within ${timeoutMs} ms, but it was still running; ask for less and retry`, {
    timeoutMs,
  });
}

declare module '../shared/context.js' {
  interface Context {
    /** This HTTP request's deadlines (execution timeout, database wait); absent for a live subscription's context. */
    deadline?: Deadline;
  }
}

import type { ApolloServerPlugin } from '@apollo/server';
import type { Collection } from 'mongodb';
import { wrapCollections, type Collections } from '../db/collections.js';
import { ClientError } from '../shared/errors.js';
import type { Semaphore } from './fair-share.js';

/**
 * The collection methods that send a command to the database. `find` and `aggregate` count once
 * when the cursor is made: the read path sizes each cursor's first batch to hold the whole result,
 * so no getMore follows (one would, uncounted, only for a reply over 16 MiB).
 */
const COMMAND_METHODS: ReadonlySet<string> = new Set([
  'find',
  'findOne',
  'aggregate',
  'countDocuments',
  'estimatedDocumentCount',
  'distinct',
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'bulkWrite',
]);

/**
 * A request's budget of database commands (LIMIT_MAX_DB_COMMANDS, default 500). A loader batch
 * sent as concurrent equality reads (FerretDB on PostgreSQL) counts as the one `$in` it stands
 * for (`oneBudgetedBatch`). The static
 * limits (depth, cost, aliases) bound what a query may ask for; this bounds what it actually
 * costs the database, whatever the estimate missed. Once spent, the command that would exceed
 * it is not sent (it throws instead), no later one is either, and the whole response becomes
 * one QUERY_TOO_COMPLEX error (see `commandBudgetPlugin`), never a partial page.
 *
 * It counts the read side of a request only: the write path (runOperation, under a customer
 * lock) uses the unbudgeted collections, because stopping a journalled operation between two
 * writes would leave it for repair instead of refusing it cleanly.
 */
export class CommandBudget {
  used = 0;
  exceeded = false;

  constructor(readonly maximum: number) {}

  charge(): void {
    if (this.exceeded || this.used >= this.maximum) {
      this.exceeded = true;
      throw this.error();
    }
    this.used++;
  }

  error(): ClientError {
    return new ClientError(
      'QUERY_TOO_COMPLEX',
      `A request may send at most ${this.maximum} database commands, but this one needed more; ask for fewer or smaller connections`,
      { limit: 'databaseCommands', maximum: this.maximum, found: null },
    );
  }
}

/**
 * The same collections, every command charged to `budget` before it is sent. The partner's gate
 * (src/limits/fair-share.ts) sits further in: `gatedCollections`.
 */
export function budgetedCollections(cols: Collections, budget: CommandBudget): Collections {
  return wrapCollections(cols, (collection) => gated(collection, budget, undefined));
}

/**
 * The same collections, each command sent only while `gate` (its partner's) has room, uncharged.
 * The request context puts these under the deadline's bound (src/limits/timeout.ts), so that a
 * command's wait for its turn counts against the request's deadlines like the command itself.
 */
export function gatedCollections(cols: Collections, gate: Semaphore): Collections {
  return wrapCollections(cols, (collection) => gated(collection, null, gate));
}

/** A budgeted collection answers this property with its unbudgeted target and its budget. */
const BUDGETED = Symbol('budgeted collection');

interface BudgetedHandle<T> {
  target: T;
  /** Null for the gated-only collection a batch's reads get. */
  budget: CommandBudget | null;
  gate: Semaphore | undefined;
}

/**
 * Runs `reads` as one charge to the request's budget: for a loader batch sent as concurrent
 * equality reads (src/read/loader-utils.ts, `findByKeys`) where one `$in` would otherwise be
 * sent. The budget bounds how many batches a request sends, not how a backend must be asked.
 * `reads` gets the collection unbudgeted (still behind the partner's gate, so each of its reads
 * takes a turn); an unbudgeted collection is passed through.
 */
export async function oneBudgetedBatch<T extends object, R>(collection: T, reads: (collection: T) => Promise<R>): Promise<R> {
  const handle = (collection as unknown as Record<symbol, BudgetedHandle<T> | undefined>)[BUDGETED];
  if (!handle) return reads(collection);
  handle.budget?.charge();
  return reads(handle.gate ? (gated(handle.target as unknown as Collection, null, handle.gate) as unknown as T) : handle.target);
}

/** Cursor methods that send the command; the read path reads every cursor with `toArray`. */
const CURSOR_READS: ReadonlySet<PropertyKey> = new Set(['toArray']);

/**
 * `collection` with each command charged to `budget` (when given) and run behind `gate` (when
 * given): a promise-returning method takes a turn of the gate for its round trip; a cursor
 * (`find`, `aggregate`) takes one for its `toArray`.
 */
function gated<T extends Collection>(collection: T, budget: CommandBudget | null, gate: Semaphore | undefined): T {
  return new Proxy(collection, {
    get(target, property) {
      if (property === BUDGETED) return { target, budget, gate } satisfies BudgetedHandle<T>;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (typeof property === 'string' && COMMAND_METHODS.has(property)) {
        return (...args: unknown[]) => {
          budget?.charge();
          if (!gate) return (value as (...a: unknown[]) => unknown).apply(target, args);
          if (property === 'find' || property === 'aggregate') {
            return gatedCursor((value as (...a: unknown[]) => object).apply(target, args), gate);
          }
          return gate.run(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** A cursor whose `toArray` waits for a turn of `gate`; its builder methods (sort, limit, ...) keep it gated. */
function gatedCursor<C extends object>(cursor: C, gate: Semaphore): C {
  const proxy: C = new Proxy(cursor, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (CURSOR_READS.has(property)) return () => gate.run(() => (value as () => Promise<unknown>).call(target));
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result === target ? proxy : result;
      };
    },
  });
  return proxy;
}

/** Turns a response whose budget ran out into one QUERY_TOO_COMPLEX error with HTTP 400. */
export function commandBudgetPlugin<C extends { budget?: CommandBudget }>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const budget = contextValue.budget;
          if (!budget?.exceeded || response.body.kind !== 'single') return;
          const { message, extensions } = budget.error();
          const { http: _status, ...coded } = extensions;
          response.body.singleResult = { data: null, errors: [{ message, extensions: coded }] };
          response.http.status = 400;
        },
      };
    },
  };
}

declare module '../shared/context.js' {
  interface Context {
    /** This request's budget of database commands, charged by its `collections`. */
    budget: CommandBudget;
  }
}

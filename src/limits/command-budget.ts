import type { ApolloServerPlugin } from '@apollo/server';
import type { Collection } from 'mongodb';
import type { Collections } from '../db/collections.js';
import { ClientError } from '../shared/errors.js';

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

/** The same collections, every command charged to `budget` before it is sent. */
export function budgetedCollections(cols: Collections, budget: CommandBudget): Collections {
  // Each collection is wrapped on first use: a trivial request touches none.
  const wrapped = new Map<PropertyKey, Collection>();
  return new Proxy(cols, {
    get(target, name) {
      const collection = Reflect.get(target, name) as Collection | undefined;
      if (collection === undefined) return undefined;
      let handle = wrapped.get(name);
      if (!handle) wrapped.set(name, (handle = budgeted(collection, budget)));
      return handle;
    },
  });
}

/** A budgeted collection answers this property with its unbudgeted target and its budget. */
const BUDGETED = Symbol('budgeted collection');

interface BudgetedHandle<T> {
  target: T;
  budget: CommandBudget;
}

/**
 * Runs `reads` as one charge to the request's budget: for a loader batch sent as concurrent
 * equality reads (src/read/loader-utils.ts, `findByKeys`) where one `$in` would otherwise be
 * sent. The budget bounds how many batches a request sends, not how a backend must be asked.
 * `reads` gets the collection itself (unbudgeted); an unbudgeted collection is passed through.
 */
export async function oneBudgetedBatch<T extends object, R>(collection: T, reads: (collection: T) => Promise<R>): Promise<R> {
  const handle = (collection as unknown as Record<symbol, BudgetedHandle<T> | undefined>)[BUDGETED];
  if (!handle) return reads(collection);
  handle.budget.charge();
  return reads(handle.target);
}

function budgeted<T extends Collection>(collection: T, budget: CommandBudget): T {
  return new Proxy(collection, {
    get(target, property) {
      if (property === BUDGETED) return { target, budget } satisfies BudgetedHandle<T>;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (typeof property === 'string' && COMMAND_METHODS.has(property)) {
        return (...args: unknown[]) => {
          budget.charge();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
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

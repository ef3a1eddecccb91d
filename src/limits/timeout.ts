import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { ClientError } from '../shared/errors.js';

/**
 * Execution timeout (LIMIT_TIMEOUT_MS, default 10,000 ms), for queries. graphql-js 16 cannot
 * cancel an execution, so this is cooperative:
 *
 * - What it stops: once the deadline (counted from the request's start) has passed, no further
 *   field resolver starts, so no further database command is issued for the request, and the
 *   whole response becomes one TIMEOUT error (HTTP 503) instead of partial data.
 * - What it does not stop: a resolver or database command already running finishes first (the
 *   response waits for it); the MongoDB driver's own timeouts bound that.
 * - Mutations are exempt: a mutation's write is all-or-nothing and already decided once it
 *   runs, so hiding its outcome behind TIMEOUT would mislead the client into retrying.
 */
export function timeoutPlugin<C extends object>(timeoutMs: number): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const deadline = Date.now() + timeoutMs;
      let timedOut = false;
      return {
        async executionDidStart({ operation }) {
          // Undefined (despite Apollo's type) when `operationName` names no operation of the document:
          // graphql-js then answers that itself, without resolving a field.
          if ((operation as typeof operation | undefined)?.operation === 'mutation') return;
          return {
            willResolveField() {
              if (timedOut || Date.now() > deadline) {
                timedOut = true;
                throw timeoutError(timeoutMs);
              }
            },
          };
        },
        async willSendResponse({ response }) {
          if (!timedOut || response.body.kind !== 'single') return;
          const error = timeoutError(timeoutMs);
          const formatted: GraphQLFormattedError = { message: error.message, extensions: { code: 'TIMEOUT', timeoutMs } };
          response.body.singleResult = { data: null, errors: [formatted] };
          response.http.status = 503;
        },
      };
    },
  };
}

function timeoutError(timeoutMs: number): ClientError {
  return new ClientError('TIMEOUT', `The query must finish within ${timeoutMs} ms, but it was still running; ask for less and retry`, {
    timeoutMs,
  });
}

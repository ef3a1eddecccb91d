import { GraphQLError, OperationTypeNode, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { MongoNetworkError, MongoNotConnectedError, MongoServerError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { inputExtensions, locateInputError } from './input-errors.js';
import type { Logger } from './logger.js';

/**
 * Codes a client may see and branch on. Anything else that goes wrong is masked as
 * INTERNAL_SERVER_ERROR and logged with its detail.
 */
export const CLIENT_ERROR_CODES = [
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'POLICY_REFUSED',
  'CONFLICT',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'IDEMPOTENCY_KEY_REUSED',
  'SANDBOX_BUSY',
  'TOO_MANY_CONNECTIONS',
  'SUBSCRIBER_TOO_SLOW',
] as const;

export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

const HTTP_STATUS: Partial<Record<ClientErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  QUERY_TOO_COMPLEX: 400,
  RATE_LIMITED: 429,
  TOO_MANY_CONNECTIONS: 429,
  TIMEOUT: 503,
  SERVICE_UNAVAILABLE: 503,
};

/** Seconds a client is told to wait (Retry-After) when the database is unreachable. */
export const RETRY_AFTER_SECONDS = 2;
const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unreachable; retry shortly';

/**
 * Whether an error (or one it wraps) says the database cannot be reached: no server selectable,
 * a dropped or refused connection, a closed client. These are transient, not bugs.
 */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ERR_SOCKET_CLOSED', 'ETIMEDOUT']);

/**
 * What FerretDB answers while its own PostgreSQL is gone (killed, restarting, in crash recovery),
 * as observed with FerretDB 1.24: a MongoServerError `InternalError` (code 1) whose message wraps
 * pgx's connection failure (`failed to connect to \`user=...\`: ... dial error`, `write: broken
 * pipe`), or PostgreSQL's own refusal while it starts or stops (SQLSTATE class 08, 57P01-57P03).
 * FerretDB itself is up, so the driver sees no network error: only the message tells.
 */
const STORAGE_UNREACHABLE =
  /failed to connect to `|dial error|broken pipe|connection reset by peer|conn closed|unexpected EOF|SQLSTATE (?:08[0-9A-Z]{3}|57P0[1-3])|the database system is (?:starting up|shutting down|in recovery mode|not yet accepting connections)|terminating connection due to (?:administrator command|unexpected postmaster exit)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (
      e instanceof MongoServerSelectionError ||
      e instanceof MongoNetworkError ||
      e instanceof MongoTopologyClosedError ||
      e instanceof MongoNotConnectedError
    )
      return true;
    if (e instanceof MongoServerError && STORAGE_UNREACHABLE.test(e.message)) return true;
    // A socket the server closed under the driver can surface as Node's own error.
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && SOCKET_ERROR_CODES.has(code)) return true;
    if (e instanceof GraphQLError && e.originalError && isDatabaseUnavailable(e.originalError)) return true;
  }
  return false;
}

/**
 * The error for a request that cannot start because the database is unreachable (thrown from
 * the context function, where Apollo answers without running plugins): 503 with Retry-After.
 */
export function serviceUnavailable(): GraphQLError {
  return new GraphQLError(DATABASE_UNAVAILABLE_MESSAGE, {
    extensions: {
      code: 'SERVICE_UNAVAILABLE',
      retryAfterSeconds: RETRY_AFTER_SECONDS,
      http: { status: 503, headers: new HeaderMap([['retry-after', String(RETRY_AFTER_SECONDS)]]) },
    },
  });
}

/** Seconds a caller of a sandbox being restored is told to wait (docs/sandboxes.md). */
export const SANDBOX_BUSY_RETRY_SECONDS = 1;

/**
 * A request of a sandbox's partner while the sandbox is being restored (thrown from the context
 * function, like serviceUnavailable): 503 with Retry-After, and a code a test helper retries on.
 */
export function sandboxBusy(message: string): GraphQLError {
  return new ClientError('SANDBOX_BUSY', message, {
    retryAfterSeconds: SANDBOX_BUSY_RETRY_SECONDS,
    http: { status: 503, headers: new HeaderMap([['retry-after', String(SANDBOX_BUSY_RETRY_SECONDS)]]) },
  });
}

/**
 * Apollo plugin: a response carrying SERVICE_UNAVAILABLE answers HTTP 503 with Retry-After,
 * so that clients and load balancers back off instead of reading a 200 or a 500.
 */
export function serviceUnavailablePlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          if (!response.body.singleResult.errors?.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}

/** The client-safe error family: a stable code, a message that says what was expected and what arrived. */
export class ClientError extends GraphQLError {
  constructor(code: ClientErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) } });
    this.name = 'ClientError';
  }
}

/**
 * The client's bad input. `extensions.argumentName` names the argument; given as a path into an
 * input object (`filter.search`, `input.lineItems.1.offerId`), it is split into the argument
 * (`filter`, `input`) and `extensions.field`, the path in graphql-js's notation
 * (`filter.search`, `input.lineItems[1].offerId`).
 */
export const badUserInput = (message: string, extensions: Record<string, unknown> = {}) =>
  new ClientError('BAD_USER_INPUT', message, inputExtensions(extensions));

export const notFound = (kind: string, id: string) =>
  new ClientError('NOT_FOUND', `No ${kind} with ID '${id}' exists for this partner`, { kind, id });

/**
 * A refusal the caller's roles decide (a policy decision's `rule` and `message`, such as a
 * ROLE-* rule's): FORBIDDEN with `extensions.rule`, never a payload's userErrors.
 */
export const forbidden = (refusal: { rule: string; message: string }) =>
  new ClientError('FORBIDDEN', refusal.message, { rule: refusal.rule });

/** The client codes, and the codes produced by Apollo Server and graphql-js itself, which are also safe to show. */
const SAFE_CODES = new Set<string>([
  ...CLIENT_ERROR_CODES,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Apollo's formatError: client-safe errors pass with their code (and no stack trace unless
 * `exposeDetails`); every other error is logged in full and replaced by a generic message.
 */
function isClientStatus(error: GraphQLError): boolean {
  const status = (error.extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** An outage is over once no request has met it for this long; the next one is logged again. */
const OUTAGE_QUIET_MS = 30_000;

/** Records that a request met the database unavailable; `detail` is logged, never answered. */
export type OutageLog = (area: string, detail: string) => void;

/**
 * One warning per outage, not one per request: the first request to meet the database unavailable
 * logs its detail at warn; the others, until OUTAGE_QUIET_MS pass without one, log at debug. (A
 * database this process supervises also logs its own death and recovery, src/db/.)
 */
export function createOutageLog(log: Logger, quietMs = OUTAGE_QUIET_MS): OutageLog {
  let lastSeen = -Infinity;
  return (area, detail) => {
    const now = Date.now();
    const fresh = now - lastSeen > quietMs;
    lastSeen = now;
    if (fresh) log.warn(area, `database unavailable, answering 503 until it is back: ${detail}`);
    else log.debug(area, `database unavailable: ${detail}`);
  };
}

export function createFormatError(log: Logger, exposeDetails: boolean, outage: OutageLog = createOutageLog(log)) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = answeredCode(error, formatted.extensions?.code);
    if (code !== formatted.extensions?.code) formatted = { ...formatted, extensions: { ...formatted.extensions, code } };
    // graphql-js's variable coercion and literal value errors name the argument (and path) too.
    formatted = locateInputError(formatted, error);
    // graphql-js parses recursively: a document nested a few thousand levels deep (within the
    // token limit) runs the parser out of stack. Say so, not the engine's message.
    if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && /Maximum call stack/.test(formatted.message)) {
      formatted = {
        ...formatted,
        message: 'Syntax Error: the document nests lists, objects or selections too deeply to parse; nest less',
      };
    }
    const kind = errorKind(error, formatted.extensions?.code);
    if (kind === 'safe') {
      if (exposeDetails) return formatted;
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    if (kind === 'client-status') return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
    if (kind === 'unavailable') {
      outage('graphql', `at ${formatted.path?.join('.') ?? '(operation)'}: ${describe(original)}`);
      return {
        message: DATABASE_UNAVAILABLE_MESSAGE,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: RETRY_AFTER_SECONDS },
      };
    }
    // A failure of this request's own code. Where the request context exists, the correlation
    // plugin (below) logs it with the context's correlation ID and adds the ID to this masked
    // error; a failure before there was a context (building it) arrives as a CorrelatedError,
    // carrying the ID the HTTP layer chose, and is logged here.
    const correlated = correlatedOf(error);
    if (correlated) logUnexpected(log, formatted, correlated.cause, correlated.correlationId);
    const cause = correlated ? correlated.cause : original;
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: {
        code: 'INTERNAL_SERVER_ERROR',
        ...(correlated ? { correlationId: correlated.correlationId } : {}),
        ...(exposeDetails && cause instanceof Error ? { detail: cause.message, stacktrace: cause.stack?.split('\n') } : {}),
      },
    };
  };
}

/**
 * An unexpected failure while the request context was being built, with the correlation ID the
 * HTTP layer chose for the request (there is no context to read it from yet).
 */
export class CorrelatedError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly correlationId: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'CorrelatedError';
  }
}

/** The CorrelatedError inside `error` (Apollo wraps what the context factory throws), if any. */
function correlatedOf(error: unknown): CorrelatedError | null {
  for (let e = error; e instanceof Error; e = e instanceof GraphQLError ? e.originalError : undefined) {
    if (e instanceof CorrelatedError) return e;
  }
  return null;
}

function logUnexpected(log: Logger, at: { path?: readonly (string | number)[] }, error: unknown, correlationId: string): void {
  log.error('graphql', `unexpected error at ${at.path?.join('.') ?? '(operation)'} (correlation ${correlationId})`, error);
}

/**
 * The code an error is answered with: its own, except that a limit reported by a validation rule
 * (src/limits/) keeps its code, where Apollo wraps every validation error as
 * GRAPHQL_VALIDATION_FAILED with the rule's error as originalError.
 */
function answeredCode(error: unknown, code: unknown): unknown {
  const limit = error instanceof GraphQLError && error.originalError instanceof ClientError ? error.originalError : null;
  return limit && code === 'GRAPHQL_VALIDATION_FAILED' ? limit.extensions.code : code;
}

/**
 * How an error is answered, the one classification of formatError and the correlation plugin:
 * `safe` passes with its code; `client-status` is one of Apollo's refusals of a malformed request
 * (persisted-query versions and hashes: an HTTP 4xx status but no code), answered BAD_REQUEST;
 * `unavailable`, the database not answering (503); `unexpected`, ours: masked and logged.
 */
function errorKind(error: unknown, code: unknown): 'safe' | 'client-status' | 'unavailable' | 'unexpected' {
  const original = unwrapResolverError(error);
  const answered = answeredCode(error, code);
  if (original instanceof ClientError) return 'safe';
  if (typeof answered === 'string' && SAFE_CODES.has(answered) && (original instanceof GraphQLError || original === error)) return 'safe';
  if (original === error && original instanceof GraphQLError && original.extensions.code === undefined && isClientStatus(original)) {
    return 'client-status';
  }
  return isDatabaseUnavailable(original) ? 'unavailable' : 'unexpected';
}

/**
 * Apollo plugin: the request's correlation ID, from its context, on every unexpected error. Such
 * an error is logged with the ID (Apollo's formatError, which masks it, gets no context), and the
 * masked INTERNAL_SERVER_ERROR the client sees carries the same ID, so the two can be matched.
 */
export function correlationPlugin<C extends { correlationId: string }>(log: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (errorKind(error, error.extensions?.code) === 'unexpected')
              logUnexpected(log, error, unwrapResolverError(error), contextValue.correlationId);
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) return;
          response.body.singleResult.errors = errors.map((e) =>
            e.extensions?.code === 'INTERNAL_SERVER_ERROR'
              ? { ...e, extensions: { ...e.extensions, correlationId: contextValue.correlationId } }
              : e,
          );
        },
      };
    },
  };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.split('\n')[0] ?? message;
}

/**
 * Apollo plugin: an operation type Apollo does not serve is the client's BAD_REQUEST (400), not
 * graphql-js's uncoded execution error (masked as internal): a type the schema lacks, and
 * subscriptions, which only the live transports serve (src/app/subscriptions.ts).
 */
export function unservedOperationPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, schema }) {
          if (operation?.operation === OperationTypeNode.SUBSCRIPTION && schema.getRootType(OperationTypeNode.SUBSCRIPTION)) {
            throw new ClientError(
              'BAD_REQUEST',
              'Subscriptions are served over graphql-ws (WebSocket, /graphql) and graphql-sse (/graphql/stream), not over a plain HTTP request (docs/live-events.md)',
            );
          }
          if (!operation || schema.getRootType(operation.operation)) return;
          throw new ClientError('BAD_REQUEST', `This API does not serve ${operation.operation} operations; use a query or a mutation`);
        },
      };
    },
  };
}

import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
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
] as const;

export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

const HTTP_STATUS: Partial<Record<ClientErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  QUERY_TOO_COMPLEX: 400,
  RATE_LIMITED: 429,
  TIMEOUT: 503,
};

/** The client-safe error family: a stable code, a message that says what was expected and what arrived. */
export class ClientError extends GraphQLError {
  constructor(code: ClientErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { code, ...extensions, ...(status ? { http: { status } } : {}) } });
    this.name = 'ClientError';
  }
}

export const badUserInput = (message: string, extensions: Record<string, unknown> = {}) =>
  new ClientError('BAD_USER_INPUT', message, extensions);

export const notFound = (kind: string, id: string) =>
  new ClientError('NOT_FOUND', `No ${kind} with ID '${id}' exists for this partner`, { kind, id });

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
export function createFormatError(log: Logger, exposeDetails: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    // A limit reported by a validation rule (src/limits/) keeps its own code: Apollo wraps every
    // validation error as GRAPHQL_VALIDATION_FAILED, keeping the rule's error as originalError.
    const limit = error instanceof GraphQLError && error.originalError instanceof ClientError ? error.originalError : null;
    if (limit && formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED') {
      formatted = { ...formatted, extensions: { ...formatted.extensions, code: limit.extensions.code } };
    }
    const code = formatted.extensions?.code;
    const safe =
      original instanceof ClientError ||
      (typeof code === 'string' && SAFE_CODES.has(code) && (original instanceof GraphQLError || original === error));
    if (safe) {
      if (exposeDetails) return formatted;
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    log.error('graphql', `unexpected error at ${formatted.path?.join('.') ?? '(operation)'}`, original);
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: {
        code: 'INTERNAL_SERVER_ERROR',
        ...(exposeDetails && original instanceof Error ? { detail: original.message, stacktrace: original.stack?.split('\n') } : {}),
      },
    };
  };
}

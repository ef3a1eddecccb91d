/**
 * The live transports (docs/live-events.md): GraphQL subscriptions over WebSocket (graphql-ws, the
 * `graphql-transport-ws` protocol, at /graphql) and over Server-Sent Events (graphql-sse, distinct
 * connections mode, at /graphql/stream).
 *
 * Both serve `subscription` operations only: queries and mutations stay on HTTP POST /graphql,
 * where Apollo's plugins apply (idempotency keys, the refusal audit, the execution timeout, the
 * rate limit per request). graphql-ws would run them for free, but without those.
 *
 * Both authenticate like HTTP (authenticateCaller: the bearer token, the sandbox gate), once per
 * connection, and apply the same document limits as Apollo (src/limits/: parser tokens, depth,
 * aliases, directives, root fields, list lengths, cost), plus two of their own: open connections
 * per caller (partner and user of the verified token) and in all, per instance.
 */
import type http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { decodeJwt } from 'jose';
import { useServer } from 'graphql-ws/use/ws';
import type { ExecutionResult as SseResult, OperationArgs as SseOperationArgs } from 'graphql-sse';
import { createHandler as createSseHandler } from 'graphql-sse/lib/use/express';
import type { Request, Response } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DocumentLimits } from '../limits/index.js';
import type { Caller } from '../shared/caller.js';
import type { Config } from '../shared/config.js';
import { ClientError, createFormatError, isDatabaseUnavailable } from '../shared/errors.js';
import { sendJson } from '../shared/http-json.js';
import { MAX_JSON_BODY_BYTES } from './graphql-http.js';
import type { Logger } from '../shared/logger.js';
import { authenticateCaller, contextFor, type Services } from './context.js';

/** Where the WebSocket transport listens (the same path as HTTP GraphQL, as graphql-ws clients expect). */
export const WS_PATH = '/graphql';
/** Where the Server-Sent Events transport listens. */
export const SSE_PATH = '/graphql/stream';

export interface LiveTransportDeps {
  httpServer: http.Server;
  schema: GraphQLSchema;
  services: Services;
  documents: DocumentLimits;
  config: Pick<Config, 'live' | 'exposeErrorDetails' | 'mode'>;
  log: Logger;
}

export interface LiveTransports {
  /**
   * Serves a request to SSE_PATH (GET or POST with `Accept: text/event-stream`), its JSON body
   * already parsed (express.json, with the HTTP body limit): graphql-sse would read it unbounded.
   */
  stream(req: Request, res: Response): Promise<void>;
  /** Open connections of both transports. */
  connections(): number;
  /** Closes every connection (WebSocket: 1001 Going Away; SSE: the response ends) and stops accepting new ones. */
  stop(): Promise<void>;
}

/** A connection slot taken by `ConnectionSlots.take`; released exactly once. */
interface Slot {
  release(): void;
}

/** LIVE_MAX_CONNECTIONS_PER_CALLER and LIVE_MAX_CONNECTIONS, counted in this process. */
class ConnectionSlots {
  private total = 0;
  private readonly byCaller = new Map<string, number>();

  constructor(private readonly limits: { perCaller: number; total: number }) {}

  get open(): number {
    return this.total;
  }

  /** A slot, or TOO_MANY_CONNECTIONS naming the limit reached. */
  take(caller: Caller): Slot | ClientError {
    const key = `${caller.partner._id}:${caller.userId}`;
    const mine = this.byCaller.get(key) ?? 0;
    if (mine >= this.limits.perCaller) {
      return new ClientError(
        'TOO_MANY_CONNECTIONS',
        `Open subscription connections must be at most ${this.limits.perCaller} per caller, but this caller has ${mine}; close one first`,
        { limit: 'perCaller', maximum: this.limits.perCaller },
      );
    }
    if (this.total >= this.limits.total) {
      return new ClientError(
        'TOO_MANY_CONNECTIONS',
        `Open subscription connections must be at most ${this.limits.total} on this instance, but it has ${this.total}; retry later`,
        { limit: 'total', maximum: this.limits.total },
      );
    }
    this.total++;
    this.byCaller.set(key, mine + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.byCaller.get(key) ?? 1) - 1;
        if (left === 0) this.byCaller.delete(key);
        else this.byCaller.set(key, left);
      },
    };
  }
}

/** What one graphql-ws connection carries once its caller is known (graphql-ws's per-connection `extra`). */
interface ConnectionState extends Record<PropertyKey, unknown> {
  caller: Caller;
  slot: Slot;
  correlationId: string;
  /** Closes the connection when its token expires. */
  expiry: NodeJS.Timeout | undefined;
}

/** The longest delay a Node timer takes (about 24.8 days); a token that lives longer is not timed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When the connection's bearer token expires, in milliseconds from now; undefined without one
 * (the development headers) or beyond MAX_TIMER_MS. The token is verified already (authenticateCaller).
 */
function tokenLifetimeMs(headers: IncomingHttpHeaders): number | undefined {
  const token = /^Bearer\s+(.+)$/i.exec(String(headers.authorization ?? ''))?.[1]?.trim();
  if (!token) return undefined;
  try {
    const { exp } = decodeJwt(token);
    const ms = typeof exp === 'number' ? exp * 1000 - Date.now() : undefined;
    return ms !== undefined && ms <= MAX_TIMER_MS ? Math.max(0, ms) : undefined;
  } catch {
    return undefined;
  }
}

const TOKEN_EXPIRED = 'UNAUTHENTICATED: the token expired; connect again with a new one';

/** A subscription request's fields, as both protocols carry them. */
interface OperationRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

export function liveTransports(deps: LiveTransportDeps): LiveTransports {
  const { schema, services, documents, config, log } = deps;
  const slots = new ConnectionSlots({ perCaller: config.live.maxConnectionsPerCaller, total: config.live.maxConnections });
  const formatError = createFormatError(log, config.exposeErrorDetails);
  const rules = [...specifiedRules, ...documents.validationRules];

  /** The client-safe form of an error, logged with the correlation ID when it is ours (masked). */
  const format = (error: GraphQLError, correlationId: string): GraphQLFormattedError => {
    const formatted = formatError(error.toJSON(), error);
    if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
      log.error(
        'live',
        `unexpected error at ${error.path?.join('.') ?? '(operation)'} (correlation ${correlationId})`,
        error.originalError ?? error,
      );
      return { ...formatted, extensions: { ...formatted.extensions, correlationId } };
    }
    return formatted;
  };
  const formatResult = (result: ExecutionResult, correlationId: string) =>
    result.errors ? { ...result, errors: result.errors.map((e) => format(e, correlationId)) } : result;

  /** Parses, validates and limits one operation, as Apollo does a query's; a subscription only. */
  const prepare = (request: OperationRequest, caller: Caller, correlationId: string): ExecutionArgs | readonly GraphQLError[] => {
    let document: DocumentNode;
    try {
      document = parse(request.query, documents.parseOptions);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const invalid = validate(schema, document, rules);
    if (invalid.length > 0) {
      return invalid.map((e) =>
        e.extensions.code ? e : new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      );
    }
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) {
      return [
        new ClientError('BAD_REQUEST', 'The document must hold exactly one operation, or operationName must name one of its operations'),
      ];
    }
    if (operation.operation !== 'subscription') {
      return [
        new ClientError(
          'BAD_REQUEST',
          `Only subscription operations are served here; send a ${operation.operation} with POST ${WS_PATH}, but got a ${operation.operation}`,
        ),
      ];
    }
    try {
      documents.checkOperation({ schema, document, operation, variables: request.variables });
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    return {
      schema,
      document,
      operationName: request.operationName ?? undefined,
      variableValues: request.variables ?? undefined,
      // Not the read budget of one request: the subscription lives long (see contextFor).
      contextValue: contextFor(services, caller, correlationId, { maxDbCommands: Number.POSITIVE_INFINITY }),
    };
  };

  /** The caller of a connection's headers, or the error to refuse it with. */
  const admit = async (headers: IncomingHttpHeaders): Promise<{ caller: Caller; slot: Slot } | GraphQLError> => {
    let caller: Caller;
    try {
      caller = await authenticateCaller(services, headers);
    } catch (error) {
      if (error instanceof GraphQLError) return error;
      if (isDatabaseUnavailable(error)) return new ClientError('SERVICE_UNAVAILABLE', 'The database is not answering; retry shortly');
      throw error;
    }
    const slot = slots.take(caller);
    return slot instanceof ClientError ? slot : { caller, slot };
  };

  // --- graphql-ws over `ws`, on the gateway's own HTTP server ------------------------------------
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_JSON_BODY_BYTES });
  deps.httpServer.on('upgrade', (req: http.IncomingMessage, socket, head) => {
    if (new URL(req.url ?? '/', 'http://gateway').pathname !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const ws = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      schema,
      isProd: config.mode === 'production',
      onConnect: async (ctx) => {
        const headers = connectionHeaders(ctx.extra.request.headers, ctx.connectionParams);
        const admitted = await admit(headers);
        if (admitted instanceof GraphQLError) {
          // graphql-ws's close codes (4401 and 4403 are its own); the reason starts with our code.
          ctx.extra.socket.close(closeCodeFor(admitted), closeReason(admitted));
          return false;
        }
        // Gone while it was being authenticated: onClose has run already and would not release the slot.
        if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) {
          admitted.slot.release();
          return false;
        }
        // Authenticated once, at connect: the connection lasts no longer than its token.
        const lifetime = tokenLifetimeMs(headers);
        const socket = ctx.extra.socket;
        const expiry = lifetime === undefined ? undefined : setTimeout(() => socket.close(CloseCode.Unauthorized, TOKEN_EXPIRED), lifetime);
        Object.assign(ctx.extra, { ...admitted, correlationId: randomUUID(), expiry });
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        const { caller, correlationId } = ctx.extra;
        if (!caller || !correlationId) return [new ClientError('UNAUTHENTICATED', 'The connection is not authenticated')];
        return prepare(payload, caller, correlationId);
      },
      onNext: (ctx, _id, _payload, _args, result) => formatResult(result, ctx.extra.correlationId ?? 'none'),
      onError: (ctx, _id, _payload, errors) => errors.map((e) => format(e, ctx.extra.correlationId ?? 'none')),
      onClose: (ctx) => {
        clearTimeout(ctx.extra.expiry);
        ctx.extra.slot?.release();
      },
    },
    wss,
  );

  // --- graphql-sse, distinct connections mode (one operation per response), behind express.json ------
  const streams = new Set<http.ServerResponse>();
  let stopping = false;
  const stream = async (req: Request, res: Response): Promise<void> => {
    const accept = req.headers.accept ?? '';
    if (req.method === 'POST' && !req.is('application/json')) {
      return sendJson(res, 415, {
        errors: [
          { message: `POST ${SSE_PATH} takes a JSON body: send Content-Type: application/json`, extensions: { code: 'BAD_REQUEST' } },
        ],
      });
    }
    if ((req.method !== 'GET' && req.method !== 'POST') || !accept.includes('text/event-stream')) {
      if (req.method !== 'GET' && req.method !== 'POST') res.setHeader('Allow', 'GET, POST');
      return sendJson(res, req.method !== 'GET' && req.method !== 'POST' ? 405 : 406, {
        errors: [
          {
            message: `${SSE_PATH} serves subscriptions as Server-Sent Events: send GET or POST with Accept: text/event-stream (graphql-sse, distinct connections mode)`,
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      });
    }
    if (stopping)
      return sendJson(res, 503, { errors: [{ message: 'The gateway is stopping', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    const admitted = await admit(req.headers);
    if (admitted instanceof GraphQLError) {
      const status = (admitted.extensions.http as { status?: number } | undefined)?.status ?? 403;
      return sendJson(res, status, { errors: [format(admitted, 'none')] });
    }
    const { caller, slot } = admitted;
    // Gone while it was being authenticated: no close or end event is coming to release the slot.
    if (req.socket.destroyed || req.socket.readableEnded) {
      slot.release();
      return void res.destroy();
    }
    const correlationId = randomUUID();
    streams.add(res);
    // The stream lasts no longer than its token: it ends, and the client's reconnect authenticates again.
    const lifetime = tokenLifetimeMs(req.headers);
    const expiry = lifetime === undefined ? undefined : setTimeout(() => res.end(), lifetime);
    res.once('close', () => {
      clearTimeout(expiry);
      streams.delete(res);
      slot.release();
    });
    // The gateway's HTTP server allows half-open sockets (src/app/server.ts), so a client that goes
    // away with a FIN would leave the stream open until a write failed: its FIN ends the stream.
    req.socket.once('end', () => res.destroy());
    const handler = createSseHandler<Record<PropertyKey, unknown>>({
      schema,
      // Unique per request: never one of graphql-sse's reserved single-connection streams.
      authenticate: () => undefined,
      onSubscribe: (_req, params) => {
        const prepared = prepare(params, caller, correlationId);
        // Refusals go out in the stream as one result with errors (formatted by onNext), then `complete`.
        return isErrors(prepared) ? { data: null, errors: [...prepared] } : (prepared as SseOperationArgs<Record<PropertyKey, unknown>>);
      },
      // Formatted errors are plain objects where graphql-sse's type says GraphQLError: it only serialises them.
      onNext: (_ctx, _req, result) => formatResult(result as ExecutionResult, correlationId) as unknown as SseResult,
    });
    await handler(req, res);
  };

  return {
    stream,
    connections: () => slots.open,
    async stop() {
      stopping = true;
      for (const res of streams) res.end();
      // Going Away to every client, then wait (briefly) for their close handshakes.
      const closed = Promise.resolve(ws.dispose());
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
      await Promise.race([closed.catch(() => {}), timeout]);
      for (const socket of wss.clients as Set<WebSocket>) socket.terminate();
    },
  };
}

function isErrors(prepared: ExecutionArgs | readonly GraphQLError[]): prepared is readonly GraphQLError[] {
  return Array.isArray(prepared);
}

/**
 * The headers a WebSocket connection authenticates with: its `connectionParams` (a browser cannot
 * set headers on a WebSocket: `{ authorization: 'Bearer ...' }`, any key case), over the upgrade
 * request's own headers (what a server-side client may send).
 */
function connectionHeaders(upgrade: IncomingHttpHeaders, params: Record<string, unknown> | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = { ...upgrade };
  for (const [key, value] of Object.entries(params ?? {})) {
    if (typeof value === 'string') headers[key.toLowerCase()] = value;
  }
  return headers;
}

function closeCodeFor(error: GraphQLError): number {
  switch (error.extensions.code) {
    case 'UNAUTHENTICATED':
      return CloseCode.Unauthorized;
    case 'TOO_MANY_CONNECTIONS':
      return CloseCode.TooManyInitialisationRequests;
    case 'SERVICE_UNAVAILABLE':
      return 1013; // Try Again Later
    default:
      return CloseCode.Forbidden;
  }
}

/** `CODE: message`, within the 123 bytes a close frame's reason may hold. */
function closeReason(error: GraphQLError): string {
  const text = `${String(error.extensions.code)}: ${error.message}`;
  return Buffer.byteLength(text) <= 123
    ? text
    : `${Buffer.from(text)
        .subarray(0, 120)
        .toString()
        .replace(/\uFFFD$/, '')}...`;
}

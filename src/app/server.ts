import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express, { type ErrorRequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import type { Database } from '../db/database.js';
import { exampleOperations, type ExampleIds } from '../graphiql/examples.js';
import { graphiqlRouter } from '../graphiql/graphiql.router.js';
import { idempotencyPlugin } from './idempotency.plugin.js';
import { refusalAuditPlugin } from '../audit/refusal-audit.js';
import { createAuthenticator, type Authenticator } from '../shared/auth.js';
import { readPlanner } from '../read/loader-utils.js';
import { ttlMs, type Config, type HttpLimits } from '../shared/config.js';
import { purgeEvents } from '../event/event.repository.js';
import type { Context } from '../shared/context.js';
import { createContext, createRepositories, type Services } from './context.js';
import { correlationIds } from '../shared/correlation.js';
import { cors, corsPolicy } from './cors.js';
import {
  createFormatError,
  createOutageLog,
  isDatabaseUnavailable,
  RETRY_AFTER_SECONDS,
  serviceUnavailable,
  serviceUnavailablePlugin,
  unservedOperationPlugin,
  CorrelatedError,
  correlationPlugin,
} from '../shared/errors.js';
import { executeWithinDeadline, graphqlFastPath, headerMap, MAX_JSON_BODY_BYTES, refuseDeclaredTooLarge } from './graphql-http.js';
import { DatabaseLiveness, Deadline } from '../limits/timeout.js';
import { sendRequestError } from '../shared/http-json.js';
import type { Logger } from '../shared/logger.js';
import { configureCursorSecret } from '../shared/pagination.js';
import { mintToken } from '../shared/tokens.js';
import { gatewayLimits } from '../limits/index.js';
import { POINT_LEASES_COLLECTION, type PointLeaseDoc } from '../limits/point-budget.js';
import { remoteAddress } from '../limits/rate-limit.js';
import { PartnerGates, type PartnerSlots } from '../limits/fair-share.js';
import { createSchema } from './schema.js';
import { SandboxService } from '../sandbox/sandbox.service.js';
import type { SandboxWorlds } from '../sandbox/templates.js';
import type { WriteDeps, WriteFaults } from '../write/deps.js';
import { DeliveryWorker } from '../webhook/delivery-worker.js';
import { WebhookRepository } from '../webhook/webhook.repository.js';
import type { Duplex } from 'node:stream';
import { EventFeed, eventLogSource } from '../event/event-feed.js';
import { liveTransports, SSE_PATH, type LiveTransports } from './subscriptions.js';

/**
 * Automatic persisted queries (README, "Calling the API"): a registered hash is kept this long, in
 * Apollo's bounded in-memory LRU cache (about 30 MiB of query text per process, least recently
 * used evicted first). Only documents that parse and validate are registered. A client whose hash
 * has expired or been evicted gets PERSISTED_QUERY_NOT_FOUND (HTTP 200) and registers it again.
 */
export const PERSISTED_QUERY_TTL_SECONDS = 24 * 60 * 60;

/**
 * Request headers that let a request past Apollo's CSRF prevention: Apollo's own two, and the
 * gateway's authentication headers. Safe because none of them is CORS-safelisted: a cross-site
 * form, <img>, <script> or simple fetch cannot carry them, and a page that sets them makes the
 * browser send a preflight first, which only CORS_ORIGINS can pass. So a GET query from a client
 * that authenticates (`Authorization: Bearer ...`) runs without an extra `Apollo-Require-Preflight`.
 */
export const CSRF_PREVENTION_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight', 'authorization', 'x-partner-id'];

export interface GatewayDeps {
  config: Config;
  database: Database;
  log: Logger;
  /** Defaults to the configured one: bearer tokens, plus the development headers if DEV_HEADER_AUTH (README, "Calling the API"). */
  authenticator?: Authenticator;
  /** Tests only: hooks into the write path that simulate a crash between two writes. */
  faults?: WriteFaults;
  /**
   * The partner the IDE calls as: in development its default token is for this partner, and its
   * example tabs use this partner's customers. main.ts passes the demo world's partner (the
   * runtime imports no demo data, src/seed/); without it the IDE starts with no token and its
   * examples with placeholder IDs.
   */
  idePartnerId?: string;
  /**
   * The seeder's worlds for the DEMO and GENERATED sandbox templates (src/sandbox/templates.ts):
   * main.ts passes src/seed/'s, as for `idePartnerId`; without them createSandbox offers EMPTY only.
   */
  sandboxWorlds?: SandboxWorlds;
}

export interface Gateway {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<Context>;
  services: Services;
  /** The live transports (src/app/subscriptions.ts): graphql-ws at /graphql, graphql-sse at /graphql/stream. */
  live: LiveTransports;
  /** Each partner's in-flight slots (src/limits/fair-share.ts), for tests and the benchmark. */
  slots: PartnerSlots;
  /** How many requests the GraphQL fast path served (src/app/graphql-http.ts); every other one went through `app`. */
  fastPathRequests(): number;
  /** Starts listening; resolves to the base URL (port 0 picks a free port). */
  listen(port: number, host: string): Promise<string>;
  stop(): Promise<void>;
}

/** Builds the whole gateway without listening, so tests can drive it in process. */
export async function createGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config, database, log } = deps;
  configureCursorSecret(config.authSecret);
  // This instance's live event feed (docs/live-events.md): the write path tells it of events it applied.
  const eventFeed = new EventFeed({
    source: eventLogSource(database.collections),
    log,
    pollMs: config.live.pollMs,
    queueMax: config.live.queueMax,
    watch: database.collections.events,
  });
  // The webhook delivery worker runs apart from requests (src/webhook/delivery-worker.ts); events
  // this instance writes wake it at once, others' reach it at its next poll.
  const webhookConfig = { ...config.webhooks, mode: config.mode };
  const write: WriteDeps = {
    collections: database.collections,
    log,
    lockLeaseMs: config.lockLeaseMs,
    advanceBudgetMs: config.advanceClockBudgetMs,
    faults: deps.faults,
    events: config.events.enabled,
    // This instance's webhook worker and live feed read at once what it applied; other instances poll.
    eventsWritten: (partnerId) => {
      webhookWorker.wake(partnerId);
      eventFeed.notify(partnerId);
    },
  };
  // One warning per database outage, shared by GraphQL's errors, /readyz and the webhook worker's polls.
  const outage = createOutageLog(log);
  const webhookWorker = new DeliveryWorker({ cols: database.collections, write, config: webhookConfig, log, outage });
  const services: Services = {
    collections: database.collections,
    repositories: createRepositories(database.collections, config.clockStart, { offerCacheMs: config.offerCacheMs }),
    authenticator: deps.authenticator ?? createAuthenticator(config, database.collections.partners, log),
    log,
    write,
    settings: { softwareCancelDelayMs: config.softwareCancelDelayMs },
    maxDbCommands: config.limits.maxDbCommands,
    dbGates: new PartnerGates(config.limits.maxDbConcurrency),
    readPlanner: readPlanner(database.backend.capabilities),
    sandboxes: new SandboxService(write, config, deps.sandboxWorlds),
    webhooks: new WebhookRepository(database.collections, write, webhookConfig, webhookWorker),
    eventFeed,
  };
  // FerretDB has no TTL index: expired sandboxes are deleted by the gateway (docs/sandboxes.md).
  const purgeTimer = setInterval(() => void services.sandboxes.purge(), config.sandbox.purgeIntervalMs).unref();
  // Events past their retention (docs/events.md, "Retention"), by wall-clock age.
  const retentionMs = ttlMs(config.events.retention)!;
  const eventPurgeTimer = setInterval(
    () =>
      void purgeEvents(database.collections, new Date(Date.now() - retentionMs)).catch((error: unknown) =>
        log.error('events', 'retention purge failed', error),
      ),
    config.events.purgeIntervalMs,
  ).unref();
  const app = express();
  // Its request handler is added once Apollo has started (below). Slow clients are bounded
  // (docs/security.md, "Limits"): Node answers 408 to a request whose headers or whole body take
  // longer than these, checked every second (its default check runs every 30 s).
  const httpServer = http.createServer({
    headersTimeout: config.http.headersTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    connectionsCheckingInterval: 1000,
  });
  limitConnections(httpServer, config.http);
  // A client that half-closes its socket after sending a request (FIN after the body) still gets
  // the response: Node's http server otherwise ends the socket on the client's FIN, before an
  // asynchronous response (any GraphQL request) is written. Undocumented, not in @types/node.
  (httpServer as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  const limits = gatewayLimits<Context>(config, database.db.collection<PointLeaseDoc>(POINT_LEASES_COLLECTION));
  const schema = await createSchema();
  const apollo = new ApolloServer<Context>({
    schema,
    ...limits.apollo,
    // main.ts owns SIGINT/SIGTERM: Apollo's own handlers re-raise the signal after stopping,
    // which kills the process before the database (and a FerretDB it started) is closed.
    stopOnTerminationSignals: false,
    csrfPrevention: { requestHeaders: CSRF_PREVENTION_HEADERS },
    // Apollo's defaults, stated: APQ on, in the bounded cache, with an expiry of ours.
    cache: 'bounded',
    persistedQueries: { ttl: PERSISTED_QUERY_TTL_SECONDS },
    includeStacktraceInErrorResponses: config.exposeErrorDetails,
    formatError: createFormatError(log, config.exposeErrorDetails, outage),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      serviceUnavailablePlugin<Context>(),
      unservedOperationPlugin<Context>(),
      ...limits.apollo.plugins,
      correlationPlugin<Context>(log),
      refusalAuditPlugin(log),
      idempotencyPlugin(database.collections),
    ],
  });
  await apollo.start();
  await webhookWorker.start();
  const ideHeaders = await ideDefaultHeaders(config, log, deps.idePartnerId);
  // Whether the database answers at all, seen across this instance's requests (src/limits/timeout.ts).
  const liveness = new DatabaseLiveness();
  const ping = () => database.db.command({ ping: 1 });
  const newDeadline = () => new Deadline({ timeoutMs: config.limits.timeoutMs, databaseWaitMs: config.dbTimeoutMs, liveness, ping });
  // `address`: the client's, charged by the flood guard when authentication fails (src/limits/rate-limit.ts).
  const context = (headers: IncomingHttpHeaders, correlationId: string, deadline: Deadline, address: string) =>
    createContext(services, headers, correlationId, deadline).catch((error: unknown) => {
      if (isDatabaseUnavailable(error)) throw serviceUnavailable();
      if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') limits.rateLimit.failedAuthentication(address);
      // Refusals (UNAUTHENTICATED) pass as they are; anything else is ours, logged with the ID.
      throw error instanceof GraphQLError ? error : new CorrelatedError(error, correlationId);
    });
  // Plain GraphQL POSTs skip Express (src/app/graphql-http.ts); every other request is the app's.
  const fastPath = graphqlFastPath({
    apollo,
    context,
    deadline: newDeadline,
    cors: corsPolicy(config.corsOrigins),
    rateLimit: limits.rateLimit.admit,
    log,
  });
  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    // A connection refused by limitConnections: its answer is written, nothing more is served on it.
    if (!req.socket.writable) return void req.socket.destroy();
    // A declared body over the limit is refused on both stacks before a byte of it is read.
    if (refuseDeclaredTooLarge(req, res, log)) return;
    if (!fastPath.take(req, res)) app(req, res);
  });
  const live = liveTransports({ httpServer, schema, services, documents: limits.documents, config, log });

  app.disable('x-powered-by');
  app.use(correlationIds());
  // Liveness: the process answers, and claims nothing more. Readiness: the database answers a
  // ping, quickly. Both are unauthenticated: their bodies are fixed, naming no backend, path, user
  // or version (the ping's error, which names FerretDB's source files, the PostgreSQL user and its
  // socket path, goes to the log only).
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const failure = await pingDatabase(database, Math.min(config.dbTimeoutMs, 1000));
    if (failure === null) {
      res.json({ status: 'ready' });
      return;
    }
    outage('readyz', failure);
    res.status(503).set('Retry-After', String(RETRY_AFTER_SECONDS)).json({ status: 'not ready', reason: 'database unavailable' });
  });
  app.get('/', (_req, res) => res.redirect('/graphiql'));
  app.use(
    '/graphiql',
    graphiqlRouter({
      endpoint: '/graphql',
      defaultHeaders: ideHeaders,
      examples: async () =>
        exampleOperations(
          deps.idePartnerId === undefined ? PLACEHOLDER_EXAMPLE_IDS : await demoExampleIds(database.collections, deps.idePartnerId),
        ),
    }),
  );
  app.use(
    SSE_PATH,
    cors(config.corsOrigins),
    limits.rateLimit.middleware,
    express.json({ limit: MAX_JSON_BODY_BYTES }),
    (req, res, next) => {
      live.stream(req, res).catch(next);
    },
  );
  app.use(
    '/graphql',
    // The execution deadline counts from the request's arrival, as on the fast path.
    (_req, res, next) => {
      res.locals.deadline = newDeadline();
      next();
    },
    // First, so that the 404, 429 and 401 answers below are readable by an allowed browser page too.
    cors(config.corsOrigins),
    // Exactly /graphql: Express matches app.use paths as prefixes, and /graphql/anything is no endpoint.
    (req, res, next) => (req.path === '/' ? next() : notFoundJson(req, res)),
    // A person opening /graphql in a browser wants the IDE, not a CSRF error.
    (req, res, next) => (isBrowserNavigation(req) ? res.redirect('/graphiql') : next()),
    limits.rateLimit.middleware,
    express.json({ limit: MAX_JSON_BODY_BYTES }),
    // What @as-integrations/express5's expressMiddleware does, raced against the request's deadline.
    async (req, res) => {
      const deadline = res.locals.deadline as Deadline;
      const query = req.url.indexOf('?');
      const response = await executeWithinDeadline({
        apollo,
        request: {
          method: req.method.toUpperCase(),
          headers: headerMap(req.headers),
          search: query === -1 ? '' : req.url.slice(query),
          body: req.body,
        },
        context: () => context(req.headers, res.locals.correlationId as string, deadline, remoteAddress(req)),
        deadline,
        res,
        log,
      });
      if (response === null) return;
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status || 200;
      if (response.body.kind === 'complete') return void res.send(response.body.string);
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    },
  );
  app.use(notFoundJson);
  app.use(jsonErrors(log));
  answerUnparsableRequests(httpServer);

  return {
    app,
    httpServer,
    apollo,
    services,
    live,
    slots: limits.slots,
    fastPathRequests: () => fastPath.requests,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const { port: actual } = httpServer.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${actual}`);
        });
      }),
    stop: async () => {
      clearInterval(purgeTimer);
      // Live connections first, closed with 1001 Going Away: graphql-ws clients take it as a cue to
      // reconnect (to another instance) and subscribe again, where a `complete` would end their stream.
      await live.stop();
      await eventFeed.stop();
      clearInterval(eventPurgeTimer);
      await webhookWorker.stop();
      await apollo.stop();
      if (httpServer.listening) await new Promise((r) => httpServer.close(r));
    },
  };
}

/**
 * Logs how callers authenticate, and gives the IDE its default headers: in development a token for
 * `partnerId` (global_admin, admin_agent) signed with the configured secret, valid 30 days from
 * start; in production, or with no partner, none (the IDE user pastes their own token).
 */
async function ideDefaultHeaders(config: Config, log: Logger, partnerId: string | undefined): Promise<Record<string, string>> {
  if (config.authSecretIsDevelopmentDefault) {
    log.info('auth', 'AUTH_SECRET is unset: tokens are signed with the published development secret (development mode only)');
  }
  log.info('auth', `bearer tokens on; development headers (X-Partner-Id) ${config.devHeaderAuth ? 'on (DEV_HEADER_AUTH)' : 'off'}`);
  if (config.mode !== 'development' || partnerId === undefined) return {};
  const token = await mintToken({
    secret: config.authSecret,
    partnerId,
    userId: 'ide-developer',
    roles: ['global_admin', 'admin_agent'],
    expiresIn: '30d',
  });
  return { Authorization: `Bearer ${token}` };
}

/** A GET that prefers HTML to JSON and carries no operation: a browser's address bar, not a client. */
function isBrowserNavigation(req: express.Request): boolean {
  if (req.method !== 'GET' || req.query.query !== undefined || req.query.extensions !== undefined) return false;
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

function notFoundJson(req: express.Request, res: express.Response): void {
  res
    .status(404)
    .json({ errors: [{ message: `No such path: ${req.method} ${req.originalUrl.split('?')[0]}`, extensions: { code: 'NOT_FOUND' } }] });
}

/**
 * Requests Node's HTTP parser refuses (an unknown method such as BREW, a malformed request line,
 * headers over the size limit) and CONNECT get a coded JSON answer too, instead of Node's bare
 * status line or a dropped connection.
 */
function answerUnparsableRequests(server: http.Server): void {
  const refuse = (socket: Duplex, status: number, reason: string, message: string) => {
    if (!socket.writable) return void socket.destroy();
    const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET') return void socket.destroy();
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      return refuse(socket, 408, 'Request Timeout', 'The request did not arrive in time (headers or body too slow); send it faster');
    }
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      return refuse(socket, 431, 'Request Header Fields Too Large', 'The request headers are too large');
    }
    refuse(socket, 400, 'Bad Request', 'Expected an HTTP/1.1 request with a GET or POST method, but it does not parse');
  });
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    refuse(socket, 405, 'Method Not Allowed', 'CONNECT is not supported; send GET or POST to /graphql');
  });
}

/**
 * Caps open connections (HTTP_MAX_CONNECTIONS in all, HTTP_MAX_CONNECTIONS_PER_ADDRESS from one
 * client address), so that idle or slow sockets cannot pile up without bound: one over a cap is
 * answered at once with a coded 503 and Retry-After, then closed, whatever it sends. Live
 * connections (graphql-ws, SSE) count too: they are connections.
 */
function limitConnections(server: http.Server, limits: Pick<HttpLimits, 'maxConnections' | 'maxConnectionsPerAddress'>): void {
  const byAddress = new Map<string, number>();
  let total = 0;
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const mine = byAddress.get(address) ?? 0;
    if (total >= limits.maxConnections || mine >= limits.maxConnectionsPerAddress) {
      const which = total >= limits.maxConnections ? 'the gateway' : 'one client address';
      const body = JSON.stringify({
        errors: [
          {
            message: `Too many open connections from ${which}; close some and retry`,
            extensions: { code: 'TOO_MANY_CONNECTIONS', retryAfterSeconds: RETRY_AFTER_SECONDS },
          },
        ],
      });
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: ${RETRY_AFTER_SECONDS}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      // Whatever the client sends meanwhile is not served (the request handler checks `writable`).
      socket.once('finish', () => socket.destroy());
      return;
    }
    total += 1;
    byAddress.set(address, mine + 1);
    socket.once('close', () => {
      total -= 1;
      const left = (byAddress.get(address) ?? 1) - 1;
      if (left === 0) byAddress.delete(address);
      else byAddress.set(address, left);
    });
  });
}

/**
 * Errors raised before GraphQL runs (a body that is not JSON, too large) answer in the
 * GraphQL response shape with a code, never as an HTML 500 (sendRequestError).
 */
function jsonErrors(log: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => sendRequestError(log, error, res, res.locals.correlationId as string | undefined);
}

/** Null when the database answers `ping` within `timeoutMs`, else why not. */
async function pingDatabase(database: Database, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`database did not answer ping within ${timeoutMs} ms`), timeoutMs);
  });
  const ping = database.db.command({ ping: 1 }).then(
    () => null,
    (error: unknown) => `database ping failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The IDE's examples when no partner is configured: IDs that name nothing, so each tab answers NOT_FOUND. */
const PLACEHOLDER_EXAMPLE_IDS: ExampleIds = { customerId: '00000000-0000-4000-8000-000000000000', subscriptionId: null };

/** IDs for the IDE's mutation examples: the default partner's first customer and its newest active new-commerce subscription. */
export async function demoExampleIds(cols: Database['collections'], partnerId: string): Promise<ExampleIds> {
  const sub = await cols.subscriptions.findOne(
    { partnerId, status: 'active', commerceType: 'new_commerce', parentSubscriptionId: null, isTrial: false },
    { sort: { creationDate: -1 }, projection: { _id: 1, customerId: 1 } },
  );
  const customer = sub
    ? { _id: sub.customerId }
    : await cols.customers.findOne({ partnerId }, { sort: { companyNameLower: 1 }, projection: { _id: 1 } });
  // The newest active software order with keys (not SUSE or Red Hat), for the software examples.
  const software = await cols.softwareOrders.findOne(
    { partnerId, status: 'active', softwareVendorPlan: null },
    { sort: { purchasedAt: -1 }, projection: { _id: 1, customerId: 1, keys: 1 } },
  );
  const key = software?.keys[0];
  // The newest active Azure reservation, for the reservation examples.
  const reservation = await cols.reservations.findOne(
    { partnerId, status: 'active' },
    { sort: { purchasedAt: -1 }, projection: { _id: 1, customerId: 1, offerId: 1, quantity: 1, azureSubscriptionId: 1 } },
  );
  return {
    customerId: customer?._id ?? PLACEHOLDER_EXAMPLE_IDS.customerId,
    subscriptionId: sub?._id ?? null,
    softwareOrder: software && key ? { id: software._id, customerId: software.customerId, productVersion: key.productVersion } : null,
    reservation: reservation
      ? {
          id: reservation._id,
          customerId: reservation.customerId,
          offerId: reservation.offerId,
          quantity: reservation.quantity,
          azureSubscriptionId: reservation.azureSubscriptionId,
        }
      : null,
  };
}

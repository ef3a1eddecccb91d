import type { CommandStartedEvent } from 'mongodb';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Collections } from '../../src/db/collections.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { sandboxWorlds } from '../../src/seed/sandbox-world.js';
import { loadConfig } from '../../src/shared/config.js';
import { createMemoryLogger } from '../../src/shared/logger.js';
import { createGateway } from '../../src/app/server.js';
import type { Services } from '../../src/app/context.js';
import type { SandboxWorlds } from '../../src/sandbox/templates.js';
import type { WriteFaults } from '../../src/write/deps.js';
import { asDatabase, openTestDb } from './db.js';
import { partners } from './fixtures.js';
import { POINT_LEASES_COLLECTION } from '../../src/limits/point-budget.js';
import type { PartnerSlots } from '../../src/limits/fair-share.js';

export interface CallOptions {
  /** Partner tenant ID sent as X-Partner-Id; `null` sends none. Default: Contoso, or none when `token` is given. */
  partner?: string | null;
  /** Sent as `Authorization: Bearer <token>` (see `mintToken`, src/shared/tokens.ts). */
  token?: string;
  roles?: string;
  headers?: Record<string, string>;
}

export interface GraphQLResponse<R> {
  status: number;
  data?: R | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestGatewayOptions {
  /** Write-path hooks, e.g. to throw between two effects (a simulated crash). */
  faults?: WriteFaults;
  /** Overrides LOCK_LEASE_MS. */
  lockLeaseMs?: number;
  /** The environment the gateway's config is read from (e.g. LIMIT_MAX_COST); empty by default. */
  env?: Record<string, string>;
  /** Overrides DEV_HEADER_AUTH (on by default: the test gateway runs in development mode). */
  devHeaderAuth?: boolean;
  /** The sandbox templates' worlds; the seeder's by default (src/seed/sandbox-world.ts). */
  sandboxWorlds?: SandboxWorlds;
}

export interface TestGateway {
  url: string;
  collections: Collections;
  /** The gateway's long-lived services (write path, repositories), for driving it in process. */
  services: Services;
  /** Open live-event connections (graphql-ws and graphql-sse, src/app/subscriptions.ts). */
  liveConnections(): number;
  /** Each partner's in-flight slots (src/limits/fair-share.ts). */
  slots: PartnerSlots;
  /** Every command the gateway's MongoDB client started, in order. */
  commands: CommandStartedEvent[];
  logs: ReturnType<typeof createMemoryLogger>['lines'];
  /** The secret the gateway verifies bearer tokens with (the development secret). */
  authSecret: string;
  /** Runs a typed operation over HTTP, as a client would. */
  execute<R, V>(document: TypedDocumentNode<R, V>, variables?: V, options?: CallOptions): Promise<GraphQLResponse<R>>;
  /** Posts a raw body, for malformed requests. */
  post(body: string, options?: CallOptions & { contentType?: string }): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

/**
 * A real gateway on a free loopback port, over a fresh database on the run's shared server
 * (FerretDB, an embedded mongod or MONGODB_URI), with the demo partners and whatever `seed` adds.
 */
export async function startTestGateway(
  seed?: (cols: Collections) => Promise<void>,
  gatewayOptions: TestGatewayOptions = {},
): Promise<TestGateway> {
  const testDb = await openTestDb('gw', { monitorCommands: true });
  const commands: CommandStartedEvent[] = [];
  // The rate limit's point leases (src/limits/point-budget.ts) are claimed now and then, on whichever
  // request runs short: not a request's own reads, which is what tests count.
  testDb.client.on('commandStarted', (event) => {
    if (event.command[event.commandName] !== POINT_LEASES_COLLECTION) commands.push(event);
  });
  await testDb.collections.partners.insertMany(partners());
  await seed?.(testDb.collections);

  const log = createMemoryLogger();
  const database = asDatabase(testDb);
  const config = {
    // The webhook worker's poll finds no registrations in most tests; hourly, so it adds no command
    // to the ones tests count. Webhook tests set WEBHOOK_POLL_MS short. An advance completes in one
    // call however slow the shared test machine is; the budget's tests set ADVANCE_CLOCK_BUDGET_MS.
    ...loadConfig({ WEBHOOK_POLL_MS: '3600000', ADVANCE_CLOCK_BUDGET_MS: '600000', ...gatewayOptions.env }),
    dbName: testDb.dbName,
    ...(gatewayOptions.lockLeaseMs !== undefined ? { lockLeaseMs: gatewayOptions.lockLeaseMs } : {}),
    ...(gatewayOptions.devHeaderAuth !== undefined ? { devHeaderAuth: gatewayOptions.devHeaderAuth } : {}),
  };
  const gateway = await createGateway({
    config,
    database,
    log,
    faults: gatewayOptions.faults,
    idePartnerId: DEMO_PARTNERS.contoso.id,
    sandboxWorlds: gatewayOptions.sandboxWorlds ?? sandboxWorlds,
  });
  const url = await gateway.listen(0, '127.0.0.1');

  const headersFor = (options: CallOptions = {}): Record<string, string> => {
    const partner = options.partner === undefined ? (options.token === undefined ? DEMO_PARTNERS.contoso.id : null) : options.partner;
    return {
      ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
      ...(partner ? { 'x-partner-id': partner } : {}),
      ...(options.roles ? { 'x-partner-roles': options.roles } : {}),
      ...options.headers,
    };
  };

  return {
    url,
    collections: testDb.collections,
    services: gateway.services,
    liveConnections: () => gateway.live.connections(),
    slots: gateway.slots,
    commands,
    logs: log.lines,
    authSecret: config.authSecret,
    async execute(document, variables, options) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headersFor(options) },
        body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<never>, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<never>;
    },
    async post(body, options = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': options.contentType ?? 'application/json', ...headersFor(options) },
        body,
      });
      return { status: response.status, text: await response.text() };
    },
    async close() {
      await gateway.stop();
      await testDb.close();
    },
  };
}

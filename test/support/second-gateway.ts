import { print } from 'graphql';
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import { collections } from '../../src/db/collections.js';
import type { Database } from '../../src/db/database.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { sandboxWorlds } from '../../src/seed/sandbox-world.js';
import { loadConfig } from '../../src/shared/config.js';
import { createMemoryLogger } from '../../src/shared/logger.js';
import { createGateway } from '../../src/app/server.js';
import { runCapabilities } from './db.js';
import type { CallOptions, GraphQLResponse, TestGateway, TestGatewayOptions } from './gateway.js';

/** A second gateway instance: what TestGateway offers, minus the command log and raw posts. */
export type SecondGateway = Pick<TestGateway, 'url' | 'collections' | 'services' | 'logs' | 'execute' | 'close'>;

/**
 * Another gateway instance over the same database as `first`, as a second process would run it:
 * its own MongoDB client, its own services and write path (holder IDs, faults, lease length),
 * listening on its own loopback port. Closing it leaves the database alone (`first` owns it).
 */
export async function startSecondGateway(
  first: Pick<TestGateway, 'collections'>,
  options: TestGatewayOptions = {},
): Promise<SecondGateway> {
  const dbName = first.collections.subscriptions.dbName;
  const client = new MongoClient(inject('mongoUri'));
  await client.connect();
  const db = client.db(dbName);
  const cols = collections(db);
  const log = createMemoryLogger();
  const database: Database = {
    backend: {
      kind: 'mongodb-uri',
      uri: 'test',
      describe: 'test database (second instance)',
      capabilities: runCapabilities(),
      stop: async () => {},
    },
    client,
    db,
    collections: cols,
    close: () => client.close(),
  };
  const config = {
    ...loadConfig({ WEBHOOK_POLL_MS: '3600000', ADVANCE_CLOCK_BUDGET_MS: '600000', ...options.env }),
    dbName,
    ...(options.lockLeaseMs !== undefined ? { lockLeaseMs: options.lockLeaseMs } : {}),
  };
  const gateway = await createGateway({
    config,
    database,
    log,
    faults: options.faults,
    idePartnerId: DEMO_PARTNERS.contoso.id,
    sandboxWorlds,
  });
  // A holder name of its own, as a second process on another host would have.
  gateway.services.write.holderId = `second-instance:${process.pid}`;
  const url = await gateway.listen(0, '127.0.0.1');

  const headersFor = (o: CallOptions = {}): Record<string, string> => {
    const partner = o.partner === undefined ? DEMO_PARTNERS.contoso.id : o.partner;
    return {
      ...(partner ? { 'x-partner-id': partner } : {}),
      ...(o.roles ? { 'x-partner-roles': o.roles } : {}),
      ...o.headers,
    };
  };

  return {
    url,
    collections: cols,
    services: gateway.services,
    logs: log.lines,
    async execute(document, variables, o) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headersFor(o) },
        body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse<never>, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<never>;
    },
    async close() {
      await gateway.stop();
      await client.close();
    },
  };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { partners } from '../support/fixtures.js';
import { postGraphQL, spawnGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startReceiver, type Receiver } from '../support/webhook-receiver.js';

/*
 * At least once across a crash (docs/webhooks.md, "Ordering and de-duplication"): a real gateway
 * process killed with SIGKILL while it delivers a burst of events to a slow receiver, then a new
 * process on the same database: once the dead one's lease (WEBHOOK_LEASE_MS) has run out, the new
 * one takes over and every event is delivered at least once; every delivery ends succeeded.
 */

const ENV = {
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_LEASE_MS: '1500',
  WEBHOOK_RETRY_START_MS: '200',
  WEBHOOK_RETRY_MAX_MS: '400',
  WEBHOOK_CONCURRENCY: '2',
};
const CUSTOMERS = 12;

let db: TestDb;
let receiver: Receiver;
const processes: GatewayProcess[] = [];

function start(): GatewayProcess {
  const gateway = spawnGateway(db.dbName, ENV);
  processes.push(gateway);
  return gateway;
}

beforeAll(async () => {
  db = await openTestDb('webhook_kill');
  await db.collections.partners.insertMany(partners());
  // Slow enough that the burst is still being delivered when the process is killed.
  receiver = await startReceiver(() => ({ status: 200, delayMs: 250 }));
});

afterAll(async () => {
  for (const p of processes) await p.stop();
  await receiver?.close();
  await db?.close();
});

describe('a gateway killed mid-delivery', () => {
  it(
    'SIGKILL during a burst of deliveries, then a restart: every event is delivered at least once, and every delivery ends succeeded',
    { timeout: 120_000 },
    async () => {
      const first = start();
      const url = await first.ready;
      const registered = await postGraphQL(
        url,
        `mutation($input: CreateWebhookRegistrationInput!) { createWebhookRegistration(input: $input) { registration { id } } }`,
        { input: { webhookUrl: receiver.url, webhookEvents: ['customer-created'] } },
      );
      expect(registered.body.errors).toBeUndefined();
      const registrationId = (registered.body.data!.createWebhookRegistration as { registration: { id: string } }).registration.id;

      for (let i = 0; i < CUSTOMERS; i++) {
        const created = await postGraphQL(
          url,
          `mutation($name: String!, $domain: String!) {
          createCustomer(input: { companyProfile: { companyName: $name, domain: $domain }, billingProfile: { defaultAddress: { country: "US" } } }) { customer { id } }
        }`,
          { name: `Crash Webhook ${i}`, domain: `crash-webhook-${i}.onmicrosoft.com` },
        );
        expect(created.body.errors).toBeUndefined();
      }
      await receiver.waitFor(() => receiver.received.length >= 3, 30_000, 'the first deliveries');
      first.child.kill('SIGKILL');
      await first.exited;
      const beforeRestart = new Set(receiver.received.map((r) => r.headers['x-pcg-event-id']));
      expect(beforeRestart.size, 'killed mid-burst').toBeLessThan(CUSTOMERS);

      const second = start();
      await second.ready;
      const events = await db.collections.events.find({ partnerId: DEMO_PARTNERS.contoso.id, type: 'customer-created' }).toArray();
      expect(events).toHaveLength(CUSTOMERS);
      const want = new Set(events.map((e) => e._id));
      const got = () => new Set(receiver.received.map((r) => r.headers['x-pcg-event-id'] as string));
      await receiver.waitFor(() => [...want].every((id) => got().has(id)), 60_000, 'every event after the restart');

      let statuses: string[] = [];
      for (let i = 0; i < 100; i++) {
        statuses = (await db.collections.webhookDeliveries.find({ registrationId }).toArray()).map((d) => d.status);
        if (statuses.length === CUSTOMERS && statuses.every((s) => s === 'succeeded')) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(statuses).toEqual(Array(CUSTOMERS).fill('succeeded'));
      await second.stop();
    },
  );
});

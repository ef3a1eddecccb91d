import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleOperations } from '../../src/graphiql/examples.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { seedWorld } from '../../src/seed/generate.js';
import { demoExampleIds } from '../../src/app/server.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The IDE's example operations run, in order, on the demo world (`npm start` seeds it), with the
 * IDE's default headers, and answer without a top-level error and with data: every root field
 * answers, and a list or connection (at the root, or one level below, as a customer's ledger) is
 * not empty: buy, quote, cancel, pause, schedule, allowed actions, advance the clock, ledger and
 * invoice, search, catalog, software and reservations.
 */

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await seedWorld(cols, { customers: 40, seed: 'demo' });
  });
});
afterAll(() => gw?.close());

/** Where an answer is empty: a null root field, an empty list, or a connection without nodes, at the root or one level below. */
function emptyParts(data: Record<string, unknown> | null | undefined): string[] {
  if (!data) return ['data'];
  const isEmptyConnection = (v: unknown) =>
    !!v && typeof v === 'object' && Array.isArray((v as { nodes?: unknown }).nodes) && (v as { nodes: unknown[] }).nodes.length === 0;
  const empty: string[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (value == null || (Array.isArray(value) && value.length === 0)) empty.push(name);
    else if (isEmptyConnection(value)) empty.push(`${name}.nodes`);
    else if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [child, v] of Object.entries(value)) if (isEmptyConnection(v)) empty.push(`${name}.${child}.nodes`);
    }
  }
  return empty;
}

async function examples() {
  const res = await fetch(`${gw.url}/graphiql`);
  expect(res.status === 200 || res.status === 503).toBe(true);
  const ids = await demoExampleIds(gw.collections, DEMO_PARTNERS.contoso.id);
  expect(ids.subscriptionId).not.toBeNull();
  return exampleOperations(ids);
}

describe('IDE examples on the demo data', () => {
  it('SW-ACTIVITY-LOG: the activity log example shows key views of the demo world before any key is fetched', async () => {
    const op = (await examples()).find((o) => o.title === 'Software activity log')!;
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-partner-id': DEMO_PARTNERS.contoso.id, 'x-partner-roles': 'global_admin' },
      body: JSON.stringify({ query: op.query, variables: JSON.parse(op.variables!) }),
    });
    const body = (await res.json()) as { data?: { activityLog: { totalCount: number } }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data!.activityLog.totalCount).toBeGreaterThan(0);
    // All seeded: nothing has fetched a key yet.
    const recorded = await gw.collections.softwareActivity.find({}).toArray();
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.filter((a) => !a._id.endsWith(':view_key'))).toEqual([]);
  });

  it(
    'GEN-CLOCK, CAT-CART, CANCEL-WINDOW-SHOWN: every example operation runs on the demo world without a top-level error and returns data, no list or connection empty',
    { timeout: 120_000 },
    async () => {
      const ops = await examples();
      expect(ops.map((o) => o.title)).toEqual(
        expect.arrayContaining(['Buy (new commerce)', 'Quote a cancellation', 'Cancel', 'Pause', 'Schedule a change', 'Advance the clock']),
      );
      // Quote before cancelling, and schedule before pausing clears it: run the mutations in the order a newcomer would.
      const order = [
        'Buy (new commerce)',
        'Quote a cancellation',
        'What can I do?',
        'Schedule a change',
        'Pause',
        'Cancel',
        'Advance the clock',
        'Ledger and invoice',
      ];
      const byTitle = new Map(ops.map((o) => [o.title, o]));
      // Every example the IDE shows is run, the software and reservation ones included.
      expect(ops.map((o) => o.title)).toEqual(
        expect.arrayContaining([
          'Search customers',
          'Catalog',
          'Get a product key',
          'Software activity log',
          'Azure reservation: what can I do?',
        ]),
      );
      for (const title of [...ops.map((o) => o.title).filter((t) => !order.includes(t)), ...order]) {
        const op = byTitle.get(title)!;
        const res = await fetch(`${gw.url}/graphql`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-partner-id': DEMO_PARTNERS.contoso.id,
            'x-partner-roles': 'global_admin,admin_agent',
          },
          body: JSON.stringify({ query: op.query, variables: op.variables ? JSON.parse(op.variables) : {} }),
        });
        const body = (await res.json()) as { data?: Record<string, { userErrors?: unknown[] }>; errors?: unknown[] };
        expect({ title, errors: body.errors }).toEqual({ title, errors: undefined });
        expect({ title, empty: emptyParts(body.data) }).toEqual({ title, empty: [] });
        const payload = Object.values(body.data ?? {})[0];
        if (title === 'Buy (new commerce)' || title === 'Quote a cancellation' || title === 'Advance the clock')
          expect({ title, userErrors: payload?.userErrors }).toEqual({ title, userErrors: [] });
      }
    },
  );
});

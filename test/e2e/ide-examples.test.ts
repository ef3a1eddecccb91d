import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleOperations } from '../../src/graphiql/examples.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { seedWorld } from '../../src/seed/generate.js';
import { demoExampleIds } from '../../src/server.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The IDE's example operations run, in order, on the demo world (`npm start` seeds it), with the
 * IDE's default headers, and answer without a top-level error: buy, quote, cancel, pause,
 * schedule, allowed actions, advance the clock, ledger and invoice.
 */

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await seedWorld(cols, { customers: 40, seed: 'demo' });
  });
});
afterAll(() => gw?.close());

async function examples() {
  const res = await fetch(`${gw.url}/graphiql`);
  expect(res.status === 200 || res.status === 503).toBe(true);
  const ids = await demoExampleIds(gw.collections, DEMO_PARTNERS.contoso.id);
  expect(ids.subscriptionId).not.toBeNull();
  return exampleOperations(ids);
}

describe('IDE examples on the demo data', () => {
  it('GEN-CLOCK, CAT-CART, CANCEL-WINDOW-SHOWN: every example operation runs on the demo world without a top-level error', async () => {
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
      const payload = Object.values(body.data ?? {})[0];
      if (title === 'Buy (new commerce)' || title === 'Quote a cancellation' || title === 'Advance the clock')
        expect({ title, userErrors: payload?.userErrors }).toEqual({ title, userErrors: [] });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Effect, UpdateEffect } from '../../src/policy/effects.js';
import { REPLAY_HEADER } from '../../src/app/idempotency.plugin.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { aCustomer, aSubscription, guid, partners, T0 } from '../support/fixtures.js';
import { postGraphQL, spawnGateway, type GatewayProcess, type PostResult } from '../support/gateway-process.js';
import { aReservation } from '../support/reservations.js';

/*
 * Several instances, in the test suite (issue 17): two real gateway processes (src/main.ts) on one
 * database, as two instances behind a load balancer, each request sent to one or the other.
 *
 * - 50 conflicting changes of one subscription, split across them: renames and read-then-increase
 *   seat changes. No lost update: each accepted change bumped the version once, is audited once,
 *   and the seats and charges add up.
 * - 20 reservation cancellations of one customer, split across them: RES-REFUND-CAP (USD 50,000)
 *   is never exceeded.
 * - One MS-RequestId sent to both at once: one effect; the other gets the same answer (a replay)
 *   or CONFLICT (still in progress), per src/app/idempotency.plugin.ts.
 *
 * Every answer is data or a coded error: never HTTP 5xx, never INTERNAL_SERVER_ERROR.
 */

/** No rate limit (not what this file is about): one partner sends everything. */
const ENV = { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000' };

/** Changes in flight at once in the 50-change race. */
const WRITERS = 6;

/** Started two days before the clock (T0): inside the 30-day window, so seat changes are charged prorated. */
const STARTED = new Date(T0.getTime() - 2 * 86_400_000);

const C = { writes: guid('mi-writes'), cap: guid('mi-cap'), keys: guid('mi-keys') };
const CONTENDED = guid('mi-contended');
const KEYED = Array.from({ length: 5 }, (_, i) => guid(`mi-keyed-${i}`));
/** 20 reservations of 12,000.00 USD bought at the clock: each would refund in full. */
const RESERVATIONS = Array.from({ length: 20 }, (_, i) => aReservation({ _id: guid(`mi-reservation-${i}`), customerId: C.cap }));

const USER_ERRORS = 'userErrors { code rule message }';
const UPDATE = `mutation MiUpdate($input: UpdateSubscriptionInput!) {
  updateSubscription(input: $input) { operationId charge { amountInCents } subscription { id quantity friendlyName } ${USER_ERRORS} }
}`;
const READ = 'query MiRead($id: ID!) { subscription(id: $id) { quantity } }';
const CANCEL_RESERVATION = `mutation MiCancelReservation($input: CancelReservationInput!) {
  cancelReservation(input: $input) { operationId capApplied refund { amountInCents } reservation { id status } ${USER_ERRORS} }
}`;

let db: TestDb;
let gateways: GatewayProcess[] = [];
let urls: string[] = [];

beforeAll(async () => {
  db = await openTestDb('multi');
  const cols = db.collections;
  await cols.partners.insertMany(partners());
  await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
  await cols.customers.insertMany([
    aCustomer({ _id: C.writes, companyName: 'Multi Instance Writes' }),
    aCustomer({ _id: C.cap, companyName: 'Multi Instance Cap' }),
    aCustomer({ _id: C.keys, companyName: 'Multi Instance Keys' }),
  ]);
  const office = {
    offerId: OFFER_IDS.m365BusinessBasic,
    effectiveStartDate: STARTED,
    quantity: 10,
    unitPriceCents: 7200,
    chargedCents: 72_000,
  };
  await cols.subscriptions.insertMany([
    aSubscription({ ...office, _id: CONTENDED, customerId: C.writes, friendlyName: 'Contended' }),
    ...KEYED.map((id) => aSubscription({ ...office, _id: id, customerId: C.keys })),
  ]);
  await cols.reservations.insertMany(RESERVATIONS);
  gateways = [spawnGateway(db.dbName, ENV), spawnGateway(db.dbName, ENV)];
  urls = await Promise.all(gateways.map((g) => g.ready));
}, 60_000);

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await db?.close();
});

/** Data, or one coded error that is no failure of the gateway's (CONFLICT is the only one expected here). */
function expectCoded(r: PostResult, what: string): void {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
  for (const e of r.body.errors ?? []) expect(e.extensions?.code, `${what}: ${JSON.stringify(r.body)}`).toBe('CONFLICT');
}

interface UpdatePayload {
  operationId: string | null;
  charge: { amountInCents: number } | null;
  subscription: { id: string; quantity: number; friendlyName: string } | null;
  userErrors: { code: string; rule: string; message: string }[];
}

const updateOf = (r: PostResult) => r.body.data?.updateSubscription as UpdatePayload | undefined;
/** An accepted change: a payload without userErrors, with the operation that applied it. */
const accepted = (r: PostResult) => updateOf(r) !== undefined && updateOf(r)!.userErrors.length === 0;

describe('50 conflicting changes of one subscription over two instances', () => {
  it('no lost update: every accepted change bumped the version once and is audited once; seats, charges and the name add up; never a 5xx', async () => {
    const before = (await db.collections.subscriptions.findOne({ _id: CONTENDED }))!;
    const names = Array.from({ length: 50 }, (_, i) => `Contended ${i}`);
    // Even requests rename, odd ones read the seats and ask for one more: all write the same
    // document. WRITERS at a time, half on each instance, so the writes contend for the customer
    // and its version while a stale read stays possible (a writer reads while another writes).
    const change = async (i: number, url: string): Promise<{ kind: 'rename' | 'increase'; url: string; r: PostResult }> => {
      if (i % 2 === 0) {
        return { kind: 'rename', url, r: await postGraphQL(url, UPDATE, { input: { subscriptionId: CONTENDED, friendlyName: names[i] } }) };
      }
      const read = await postGraphQL(url, READ, { id: CONTENDED });
      expectCoded(read, `read ${i}`);
      const seats = (read.body.data!.subscription as { quantity: number }).quantity;
      return { kind: 'increase', url, r: await postGraphQL(url, UPDATE, { input: { subscriptionId: CONTENDED, quantity: seats + 1 } }) };
    };
    const results: Awaited<ReturnType<typeof change>>[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = next++; i < 50; i = next++) results.push(await change(i, urls[w % 2]!));
      }),
    );
    expect(results).toHaveLength(50);

    for (const [i, { r }] of results.entries()) {
      expectCoded(r, `change ${i}`);
      // A stale read asks for no change or a reduction: refused by its rule, never anything else.
      for (const e of updateOf(r)?.userErrors ?? []) expect(['SUB-EDIT', 'SUB-QTY-DECREASE-NCE'], JSON.stringify(e)).toContain(e.rule);
    }
    const renames = results.filter((x) => x.kind === 'rename' && accepted(x.r));
    const increases = results.filter((x) => x.kind === 'increase' && accepted(x.r));
    expect(renames.length).toBeGreaterThan(0);
    expect(increases.length).toBeGreaterThan(0);
    // Both instances applied changes: the race is between processes, not within one.
    expect(new Set([...renames, ...increases].map((x) => x.url))).toEqual(new Set(urls));

    const after = (await db.collections.subscriptions.findOne({ _id: CONTENDED }))!;
    expect(after.version).toBe(before.version + renames.length + increases.length);
    expect(after.quantity).toBe(before.quantity + increases.length);
    const charges = await db.collections.ledger.find({ 'source.id': CONTENDED, ruleId: 'SUB-QTY-INCREASE' }).toArray();
    expect(charges.map((e) => e.amountCents).sort()).toEqual(increases.map((x) => updateOf(x.r)!.charge!.amountInCents).sort());
    expect(after.chargedCents).toBe(before.chargedCents + charges.reduce((n, e) => n + e.amountCents, 0));

    // Each accepted change was applied on top of the one before it: their journalled updates
    // expected the versions before.version, +1, +2, ... once each (two on one version would be
    // a lost update). The name is the one of the rename applied last.
    const operationIds = [...renames, ...increases].map((x) => updateOf(x.r)!.operationId!);
    const operations = await db.collections.operations.find({ _id: { $in: operationIds } }).toArray();
    expect(operations).toHaveLength(operationIds.length);
    const updates = operations
      .map((op) => (op.effects as Effect[]).find((e): e is UpdateEffect => e.kind === 'update' && e.id === CONTENDED)!)
      .sort((a, b) => a.expectedVersion - b.expectedVersion);
    expect(updates.map((u) => u.expectedVersion)).toEqual(Array.from({ length: operationIds.length }, (_, k) => before.version + k));
    expect(after.friendlyName).toBe(updates.filter((u) => 'friendlyName' in u.set).at(-1)!.set.friendlyName);

    // The audit log tells the same story: one accepted record per accepted change.
    const audit = await db.collections.auditEvents
      .find({ resourceId: CONTENDED, operationType: 'update_subscription', outcome: { $ne: 'refused' } })
      .toArray();
    expect(audit).toHaveLength(operationIds.length);

    expect(await db.collections.operations.countDocuments({ customerId: C.writes, status: 'pending' })).toBe(0);
    // For the report: how the race went.
    const conflicts = results.filter((x) => x.r.body.errors?.length).length;
    console.info(
      `multi-instance writes: ${renames.length} renames and ${increases.length} increases applied, ${conflicts} CONFLICT, of 50`,
    );
  });
});

describe('20 reservation cancellations over two instances (RES-REFUND-CAP)', () => {
  it('RES-REFUND-CAP: 20 cancellations of one customer split across two instances never refund more than USD 50,000 in total; each answers a payload or CONFLICT', async () => {
    const results = await Promise.all(
      RESERVATIONS.map((r, i) => postGraphQL(urls[i % 2]!, CANCEL_RESERVATION, { input: { reservationId: r._id } })),
    );
    let applied = 0;
    for (const [i, r] of results.entries()) {
      expectCoded(r, `cancellation ${i}`);
      const payload = r.body.data?.cancelReservation as { userErrors: unknown[] } | undefined;
      if (payload) {
        expect(payload.userErrors, `cancellation ${i}`).toEqual([]);
        applied++;
      }
    }
    const refunds = await db.collections.ledger.find({ customerId: C.cap, kind: 'refund', 'source.type': 'reservation' }).toArray();
    const total = -refunds.reduce((n, e) => n + e.amountCents, 0);
    expect(total).toBeLessThanOrEqual(5_000_000);
    // Four refunds in full and 2,000.00 of a fifth reach the cap; every later one is reduced to 0.
    expect(applied).toBeGreaterThanOrEqual(5);
    expect(total).toBe(5_000_000);
    expect(refunds.map((e) => e.amountCents).sort((a, b) => a - b)).toEqual([-1_200_000, -1_200_000, -1_200_000, -1_200_000, -200_000]);
    const cap = await db.collections.refundCaps.findOne({ _id: C.cap });
    expect(cap!.refunds.reduce((n, e) => n + e.amountCents, 0)).toBe(5_000_000);
    expect(await db.collections.reservations.countDocuments({ customerId: C.cap, status: 'cancelled' })).toBe(applied);
    expect(await db.collections.operations.countDocuments({ customerId: C.cap, status: 'pending' })).toBe(0);
  });
});

describe('one MS-RequestId sent to both instances at once', () => {
  it.each(KEYED.map((id, i) => [i, id] as const))(
    'round %i: the change applies once; the other instance answers the same data (replay) or CONFLICT (in progress), and a retry on either replays it',
    async (i, subscriptionId) => {
      const requestId = `multi-instance-key-${i}`;
      const variables = { input: { subscriptionId, quantity: 12 } };
      const answers = await Promise.all(urls.map((url) => postGraphQL(url, UPDATE, variables, { requestId })));

      const ran = answers.filter((a) => a.body.data && a.headers.get(REPLAY_HEADER) !== 'true');
      const replays = answers.filter((a) => a.headers.get(REPLAY_HEADER) === 'true');
      const conflicts = answers.filter((a) => a.body.errors?.[0]?.extensions?.code === 'CONFLICT');
      expect(ran, JSON.stringify(answers.map((a) => a.body))).toHaveLength(1);
      expect(replays.length + conflicts.length, JSON.stringify(answers.map((a) => a.body))).toBe(1);
      for (const c of conflicts) expect(c.status).toBe(409);
      const first = ran[0]!.body.data!;
      expect((first.updateSubscription as UpdatePayload).userErrors).toEqual([]);
      for (const r of replays) expect(r.body.data).toEqual(first);

      // One effect: one operation journalled under the key, one charge, the seats set once.
      const key = `${DEMO_PARTNERS.contoso.id}:${requestId}`;
      expect(await db.collections.operations.countDocuments({ idempotencyKey: key })).toBe(1);
      expect(await db.collections.ledger.countDocuments({ 'source.id': subscriptionId, ruleId: 'SUB-QTY-INCREASE' })).toBe(1);
      const sub = (await db.collections.subscriptions.findOne({ _id: subscriptionId }))!;
      expect({ quantity: sub.quantity, version: sub.version }).toEqual({ quantity: 12, version: 2 });

      // Once the first has answered, a retry on either instance is a replay of it.
      for (const url of urls) {
        const retry = await postGraphQL(url, UPDATE, variables, { requestId });
        expect(retry.headers.get(REPLAY_HEADER)).toBe('true');
        expect(retry.body.data).toEqual(first);
      }
      expect(await db.collections.operations.countDocuments({ idempotencyKey: key })).toBe(1);
    },
  );
});

describe('afterwards', () => {
  it('neither instance logged an error', () => {
    for (const g of gateways)
      expect(
        g
          .log()
          .split('\n')
          .filter((line) => /\bERROR\b/.test(line)),
      ).toEqual([]);
  });
});

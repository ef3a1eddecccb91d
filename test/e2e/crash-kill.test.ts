import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection, Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import type { LockDoc, OperationDoc } from '../../src/db/documents.js';
import type { Effect } from '../../src/policy/effects.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import { ConfigError } from '../../src/shared/config.js';
import { recordId } from '../../src/write/apply-effects.js';
import { faultInjectionFromEnv } from '../../src/write/fault-injection.js';
import { idSourceFor } from '../../src/write/ids.js';
import { customerLockKey } from '../../src/write/locks.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { aCustomer, aSubscription, guid, orderId, partners, T0 } from '../support/fixtures.js';
import { postGraphQL, spawnGateway, type GatewayProcess, type PostResult } from '../support/gateway-process.js';

/*
 * A real gateway process killed with SIGKILL between two writes of a multi-document operation
 * (test-only fault injection: ENABLE_FAULT_INJECTION + FAULT_KILL_AFTER_EFFECT,
 * src/write/fault-injection.ts) is repaired when the gateway starts again.
 *
 * One database, one customer per crash point: for each operation and each k (after write 1 ...
 * N-1 of its N writes, and after write N, before the operation is marked done) a gateway process
 * is started with fault injection and killed by its own SIGKILL after write k. Then one gateway
 * starts without fault injection: its start-up finishes every pending operation, and it runs
 * the same operation for a customer of its own without any crash (the reference). Each repaired
 * customer's world (GraphQL answers and stored documents, IDs normalised) must equal the
 * reference's, and a retry with the same MS-RequestId must apply nothing.
 */

/** Started two days before the clock (T0): inside the 30-day window, with days used (prorated amounts). */
const STARTED = new Date(T0.getTime() - 2 * 86_400_000);
/** Short leases in the processes, so the dead writers' leases have expired when the gateway restarts. */
const LEASE_MS = '1000';
const PROCESS_TIMEOUT_MS = 150_000;

/** One customer of the world: a base subscription of 10 licences with an add-on of 4. */
interface Slot {
  label: string;
  customer: string;
  base: string;
  addOn: string;
  /** The MS-RequestId its mutation is sent with. */
  requestId: string;
}

function slot(label: string): Slot {
  return {
    label,
    customer: guid(`crash-kill:${label}:customer`),
    base: guid(`crash-kill:${label}:base`),
    addOn: guid(`crash-kill:${label}:add-on`),
    requestId: `crash-kill-${label}`,
  };
}

function offerName(offerId: string): string {
  return CATALOG.find((o) => o._id === offerId)!.name;
}

async function seedSlots(cols: Collections, slots: Slot[]): Promise<void> {
  await cols.partners.insertMany(partners());
  await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
  await cols.customers.insertMany(slots.map((s) => aCustomer({ _id: s.customer, companyName: `Crash Kill ${s.label}` })));
  await cols.subscriptions.insertMany(
    slots.flatMap((s) => {
      const term = { effectiveStartDate: STARTED, customerId: s.customer };
      return [
        aSubscription({
          ...term,
          _id: s.base,
          offerId: OFFER_IDS.m365BusinessBasic,
          offerName: offerName(OFFER_IDS.m365BusinessBasic),
          friendlyName: 'Office',
          quantity: 10,
          unitPriceCents: 7200,
          chargedCents: 72_000,
        }),
        aSubscription({
          ...term,
          _id: s.addOn,
          offerId: OFFER_IDS.teamsPhoneStandard,
          offerName: offerName(OFFER_IDS.teamsPhoneStandard),
          friendlyName: 'Phones',
          parentSubscriptionId: s.base,
          quantity: 4,
          unitPriceCents: 9600,
          chargedCents: 38_400,
        }),
      ];
    }),
  );
}

interface Scenario {
  title: string;
  /** The journal's `kind`. */
  kind: string;
  /** The effects the operation journals, in order (updates first). */
  effects: string[];
  /** The mutation's root field. */
  field: string;
  mutation: string;
  variables(s: Slot): Record<string, unknown>;
}

const USER_ERRORS = 'userErrors { code rule message }';

const SCENARIOS: Scenario[] = [
  {
    title: 'UPG-PARTIAL, UPG-TARGET, UPG-SAME-END, MONEY-EXACT: a partial upgrade into a new subscription',
    kind: 'upgrade_subscription',
    effects: [
      'update source',
      'ledger credit',
      'insert target',
      'insert order',
      'ledger charge',
      'audit',
      'event subscription-updated',
      'event subscription-active',
      'event order-created',
    ],
    field: 'partialUpgrade',
    mutation: `mutation Upgrade($input: PartialUpgradeInput!) {
      partialUpgrade(input: $input) { operationId upgradeType targetSubscription { id quantity } ${USER_ERRORS} }
    }`,
    variables: (s) => ({ input: { subscriptionId: s.base, targetOfferId: OFFER_IDS.m365BusinessStandard, quantity: 4 } }),
  },
  {
    title: 'CANCEL-NCE-30D, ADDON-CASCADE, MONEY-EXACT: a cancellation that takes its add-on with it',
    kind: 'cancel_subscription',
    effects: [
      'update base',
      'update add-on',
      'ledger base refund',
      'ledger add-on refund',
      'audit',
      'event subscription-updated (base)',
      'event subscription-updated (add-on)',
    ],
    field: 'cancelSubscription',
    mutation: `mutation Cancel($input: CancelSubscriptionInput!) {
      cancelSubscription(input: $input) { operationId rule totalRefund { amountInCents } ${USER_ERRORS} }
    }`,
    variables: (s) => ({ input: { subscriptionId: s.base, reason: 'CUSTOMER_REQUEST' } }),
  },
];

/** Every point between two writes, and after the last write (before the operation is marked done). */
const crashPoints = (scenario: Scenario) => Array.from({ length: scenario.effects.length }, (_, i) => i + 1);

const STATE_QUERY = `query State($customerId: ID!, $baseId: String!, $from: DateTimeISO!, $to: DateTimeISO!) {
  customer(id: $customerId) {
    subscriptions(first: 100) {
      totalCount
      nodes {
        id offerId quantity status deletedReason deletionDate friendlyName autoRenewEnabled upgradedFromSubscriptionId orderId
        effectiveStartDate commitmentEndDate creationDate unitPrice { amountInCents }
        addOns { id offerId quantity status deletedReason deletionDate commitmentEndDate orderId }
      }
    }
    ledger(first: 100) {
      totalCount
      nodes { id at kind amount { amountInCents currencyCode } ruleId sourceId sourceType orderId operationId description }
    }
    orders(first: 100) {
      totalCount
      nodes { id creationDate status billingCycle totalPrice { amountInCents } lineItems { lineItemNumber friendlyName billingCycle } }
    }
  }
  auditRecords(from: $from, to: $to, first: 100, filter: { resourceId: $baseId }) {
    totalCount
    nodes { id at operationType outcome resourceType resourceId resourceOldValue resourceNewValue customerId userId roles rule code correlationId }
  }
}`;

/** Wall-clock fields, which differ between any two runs. */
const WALL_CLOCK_FIELDS = new Set(['createdAt', 'updatedAt', 'wallAt']);
const RAW_COLLECTIONS = ['subscriptions', 'orders', 'ledger', 'auditEvents', 'operations'] as const;

/**
 * Replaces the slot's IDs, its operation IDs and the IDs derived from them (src/write/ids.ts)
 * with placeholders, so the worlds of two customers that ran the same mutation compare equal;
 * drops wall-clock fields.
 */
function normalise(value: unknown, s: Slot, operationIds: string[]): unknown {
  let text = JSON.stringify(value, (key, v: unknown) => (WALL_CLOCK_FIELDS.has(key) ? undefined : v));
  operationIds.forEach((operationId, i) => {
    const ids = idSourceFor(operationId);
    for (let n = 0; n < 10; n++) {
      text = text.replaceAll(ids.subscription(n), `<op${i}:subscription:${n}>`).replaceAll(ids.order(n), `<op${i}:order:${n}>`);
    }
    text = text.replaceAll(operationId, `<op${i}>`);
  });
  const own: [string, string][] = [
    [s.customer, '<customer>'],
    [s.base, '<base>'],
    [s.addOn, '<add-on>'],
    [orderId(s.base), '<base order>'],
    [orderId(s.addOn), '<add-on order>'],
    [s.requestId, '<request>'],
  ];
  for (const [id, placeholder] of own) text = text.replaceAll(id, placeholder);
  return JSON.parse(text);
}

interface World {
  /** What GraphQL answers about the customer, its ledger, orders and audit records. */
  graphql: unknown;
  /** The customer's stored documents, sorted. */
  documents: Record<string, unknown[]>;
}

async function worldOf(url: string, cols: Collections, s: Slot): Promise<World> {
  const operationIds = (await cols.operations.find({ customerId: s.customer }, { projection: { _id: 1 } }).toArray()).map((o) => o._id);
  const answer = await postGraphQL(url, STATE_QUERY, {
    customerId: s.customer,
    baseId: s.base,
    from: '2026-10-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
  });
  expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
  const documents: Record<string, unknown[]> = {};
  for (const name of RAW_COLLECTIONS) {
    const docs = await (cols[name] as unknown as Collection<Document>).find({ customerId: s.customer }).toArray();
    documents[name] = docs.map((d) => normalise(d, s, operationIds)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return { graphql: normalise(answer.body.data, s, operationIds), documents };
}

/** For each effect of `op`, whether it is in the database. */
async function appliedEffects(cols: Collections, op: OperationDoc): Promise<boolean[]> {
  return Promise.all(
    (op.effects as Effect[]).map(async (effect, index) => {
      switch (effect.kind) {
        case 'update': {
          const doc = await (cols[effect.collection] as unknown as Collection<Document>).findOne({ _id: effect.id as never });
          return doc?.lastOperationId === op._id && doc.version === effect.expectedVersion + 1;
        }
        case 'insert':
          return (
            (await (cols[effect.collection] as unknown as Collection<Document>).countDocuments({ _id: effect.doc._id as never })) === 1
          );
        case 'ledger':
          return (await cols.ledger.countDocuments({ _id: recordId(op._id, index) })) === 1;
        case 'audit':
          return (await cols.auditEvents.countDocuments({ _id: recordId(op._id, index) })) === 1;
        case 'event':
          return (await cols.events.countDocuments({ _id: recordId(op._id, index) })) === 1;
      }
    }),
  );
}

function payloadOf(scenario: Scenario, answer: PostResult): { operationId: string; userErrors: unknown[] } {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
  return answer.body.data![scenario.field] as { operationId: string; userErrors: unknown[] };
}

/** What happened to one doomed process and its customer, before the restart. */
interface Crash {
  scenario: Scenario;
  k: number;
  slot: Slot;
  /** The doomed process's log up to its death. */
  log: string;
  /** What the client got: the error fetch threw, or an unexpected answer. */
  answer: { error: unknown } | { answer: PostResult };
  exit: { code: number | null; signal: NodeJS.Signals | null };
  /** The customer's journal right after the crash. */
  journal: OperationDoc[];
  applied: boolean[];
  lease: LockDoc | null;
}

const db: { current?: TestDb } = {};
const processes: GatewayProcess[] = [];
const crashes = new Map<string, Crash>();
const reference = new Map<string, { slot: Slot; operationId: string; replay: PostResult; world: World }>();
let restarted: GatewayProcess;
let restartedUrl: string;
let sideTests: Promise<void>;

function spawn(env: Record<string, string> = {}): GatewayProcess {
  const gateway = spawnGateway(db.current!.dbName, { LOCK_LEASE_MS: LEASE_MS, ...env });
  processes.push(gateway);
  return gateway;
}

const crashKey = (scenario: Scenario, k: number) => `${scenario.kind}:${k}`;

/** A crash whose writer's lease (LOCK_LEASE_MS) outlasts the restart. */
const LONG_LEASE = { key: 'long-lease', scenario: SCENARIOS[1]!, k: 2, slot: slot('long-lease'), leaseMs: '15000' };

beforeAll(async () => {
  sideTests = runSideTests();
  sideTests.catch(() => {});
  db.current = await openTestDb('crash');
  const cols = db.current.collections;
  const plan: { key: string; scenario: Scenario; k: number; slot: Slot; env?: Record<string, string> }[] = SCENARIOS.flatMap((scenario) =>
    crashPoints(scenario).map((k) => ({ key: crashKey(scenario, k), scenario, k, slot: slot(`${scenario.kind}-${k}`) })),
  );
  // One more, whose writer holds a long lease: still running when the gateway restarts.
  plan.push({
    key: LONG_LEASE.key,
    scenario: LONG_LEASE.scenario,
    k: LONG_LEASE.k,
    slot: LONG_LEASE.slot,
    env: { LOCK_LEASE_MS: LONG_LEASE.leaseMs },
  });
  const references = SCENARIOS.map((scenario) => ({ scenario, slot: slot(`${scenario.kind}-reference`) }));
  await seedSlots(cols, [...plan.map((p) => p.slot), ...references.map((r) => r.slot)]);

  // 1. One doomed gateway per crash point, all started before any request, so that none of them
  //    meets another's pending operation at its own start-up.
  const doomed = plan.map((p) => ({
    ...p,
    gateway: spawn({ ENABLE_FAULT_INJECTION: '1', FAULT_KILL_AFTER_EFFECT: String(p.k), ...p.env }),
  }));
  const urls = await Promise.all(doomed.map((d) => d.gateway.ready));

  // 2. Each sends its mutation and dies after write k.
  await Promise.all(
    doomed.map(async ({ key, scenario, k, slot: s, gateway }, i) => {
      const answer = await postGraphQL(urls[i]!, scenario.mutation, scenario.variables(s), { requestId: s.requestId }).then(
        (a) => ({ answer: a }),
        (error: unknown) => ({ error }),
      );
      // A process that failed to die would answer; give up waiting for its death after a while.
      const exit = await Promise.race([gateway.exited, sleep(15_000).then(() => ({ code: null, signal: null }))]);
      const journal = await cols.operations.find({ customerId: s.customer }).toArray();
      crashes.set(key, {
        scenario,
        k,
        slot: s,
        log: gateway.log(),
        answer,
        exit,
        journal,
        applied: journal.length === 1 ? await appliedEffects(cols, journal[0]!) : [],
        lease: await cols.locks.findOne({ _id: customerLockKey(s.customer) }),
      });
    }),
  );

  // 3. The dead writers' leases expire (LOCK_LEASE_MS), then the gateway starts again, without fault injection.
  const leases = await cols.locks.find({ _id: { $ne: customerLockKey(LONG_LEASE.slot.customer) } }).toArray();
  await sleep(Math.max(0, ...leases.map((l) => l.expiresAt.getTime() - Date.now())) + 50);
  restarted = spawn();
  restartedUrl = await restarted.ready;

  // 4. The reference: the same mutations, for customers of their own, without any crash.
  for (const { scenario, slot: s } of references) {
    const first = payloadOf(
      scenario,
      await postGraphQL(restartedUrl, scenario.mutation, scenario.variables(s), { requestId: s.requestId }),
    );
    expect(first.userErrors).toEqual([]);
    const replay = await postGraphQL(restartedUrl, scenario.mutation, scenario.variables(s), { requestId: s.requestId });
    reference.set(scenario.kind, { slot: s, operationId: first.operationId, replay, world: await worldOf(restartedUrl, cols, s) });
  }
}, PROCESS_TIMEOUT_MS);

afterAll(async () => {
  await sideTests;
  await Promise.all(processes.map((p) => p.stop()));
  await db.current?.close();
});

describe.each(SCENARIOS)('$title', (scenario) => {
  const n = scenario.effects.length;

  it(`journals ${n} effects (${scenario.effects.join(', ')}); without a crash it is applied whole, and a retry with the same MS-RequestId is a replay`, async () => {
    const { operationId, replay } = reference.get(scenario.kind)!;
    const op = await db.current!.collections.operations.findOne({ _id: operationId });
    expect(op).toMatchObject({ kind: scenario.kind, status: 'done', applied: n, effects: { length: n } });
    expect(replay.headers.get('x-idempotent-replay')).toBe('true');
    expect((replay.body.data![scenario.field] as { operationId: string }).operationId).toBe(operationId);
  });

  it.each(crashPoints(scenario))(
    `killed (SIGKILL) after write %i of ${n}: the client gets no answer, the operation is left pending with exactly those writes, and the dead writer keeps its lease`,
    (k) => {
      const crash = crashes.get(crashKey(scenario, k))!;
      expect(crash.log).toMatch(new RegExp(`WARN +\\[write\\] fault injection is on .* after effect ${k} `));
      expect('error' in crash.answer, JSON.stringify(crash.answer)).toBe(true);
      // fetch's error when the server's socket closes without an answer.
      const { error } = crash.answer as { error: unknown };
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).message).toBe('fetch failed');
      expect(crash.exit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(crash.journal).toEqual([
        expect.objectContaining({ kind: scenario.kind, customerId: crash.slot.customer, status: 'pending', effects: expect.any(Array) }),
      ]);
      expect(crash.journal[0]!.effects).toHaveLength(n);
      expect(crash.applied).toEqual(Array.from({ length: n }, (_, i) => i < k));
      expect(crash.lease).toMatchObject({ _id: customerLockKey(crash.slot.customer) });
    },
  );

  it.each(crashPoints(scenario))(
    `killed after write %i of ${n}: finished exactly once at restart, and the world equals a run without a crash; a retry with the same MS-RequestId applies nothing`,
    async (k) => {
      const crash = crashes.get(crashKey(scenario, k))!;
      const cols = db.current!.collections;
      const op = crash.journal[0]!;
      const log = restarted.log();
      expect(log).not.toMatch(/fault injection/);
      expect(log).toContain(`resumed ${scenario.kind} ${op._id} (${n} effects)`);
      expect(await cols.operations.find({ customerId: crash.slot.customer }).toArray()).toEqual([
        expect.objectContaining({ _id: op._id, status: 'done', applied: n }),
      ]);
      expect(await appliedEffects(cols, op)).toEqual(Array.from({ length: n }, () => true));
      expect(await cols.locks.countDocuments({ _id: customerLockKey(crash.slot.customer) })).toBe(0);

      // Subscriptions, ledger, orders and audit equal the reference's, through GraphQL and in the database.
      const expected = reference.get(scenario.kind)!.world;
      const repaired = await worldOf(restartedUrl, cols, crash.slot);
      expect(repaired.graphql).toEqual(expected.graphql);
      expect(repaired.documents).toEqual(expected.documents);

      // The client retries with the same MS-RequestId: nothing is applied a second time.
      const retry = await postGraphQL(restartedUrl, scenario.mutation, scenario.variables(crash.slot), { requestId: crash.slot.requestId });
      if (retry.headers.get('x-idempotent-replay') === 'true') {
        expect((retry.body.data![scenario.field] as { operationId: string }).operationId).toBe(op._id);
      } else {
        // The key's first attempt died in progress, so the key answers "still in progress".
        expect(retry.status, JSON.stringify(retry.body)).toBe(409);
        expect(retry.body.errors?.map((e) => e.extensions?.code)).toEqual(['CONFLICT']);
      }
      expect(await cols.operations.countDocuments({ customerId: crash.slot.customer })).toBe(1);
      expect(await worldOf(restartedUrl, cols, crash.slot)).toEqual(expected);
    },
  );

  it(`the restart log reports every resumed ${scenario.kind} at start-up`, () => {
    const total = SCENARIOS.reduce((sum, s) => sum + crashPoints(s).length, 0);
    const log = restarted.log();
    const summary = `start-up: resumed ${total} pending operations\n`;
    expect(log).toContain(summary);
    const atStartUp = log.slice(0, log.indexOf(summary));
    expect(atStartUp.match(new RegExp(`resumed ${scenario.kind} \\S+ \\(${n} effects\\)`, 'g'))).toHaveLength(n);
  });
});

describe("LOCK_LEASE_MS: a gateway restarted while the dead writer's lease still runs", () => {
  it('skips the operation at start-up, then finishes it once the lease has expired, exactly as a run without a crash', async () => {
    const { scenario, k, slot: s } = LONG_LEASE;
    const n = scenario.effects.length;
    const crash = crashes.get(LONG_LEASE.key)!;
    expect(crash.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(crash.applied).toEqual(Array.from({ length: n }, (_, i) => i < k));
    const op = crash.journal[0]!;
    const cols = db.current!.collections;
    expect(restarted.log()).toMatch(/start-up: 1 pending operation\(s\) wait for the lease of an earlier writer; resuming in \d+ ms/);
    const deadline = crash.lease!.expiresAt.getTime() + 30_000;
    while ((await cols.operations.findOne({ _id: op._id }))?.status !== 'done') {
      expect(Date.now(), restarted.log()).toBeLessThan(deadline);
      await sleep(200);
    }
    expect(Date.now()).toBeGreaterThanOrEqual(crash.lease!.expiresAt.getTime());
    await expect.poll(() => restarted.log()).toContain('start-up: resumed 1 pending operation after the leases expired');
    expect(restarted.log()).toContain(`resumed ${scenario.kind} ${op._id} (${n} effects)`);
    expect(await worldOf(restartedUrl, cols, s)).toEqual(reference.get(scenario.kind)!.world);
  }, 60_000);
});

/*
 * The hook's guards, each in a process of its own (a database of its own), run while the crash
 * suite above prepares, then checked by the tests below.
 */
const side: {
  ignored?: { exit: number | null; signal: string | null; log: string; answer: PostResult; op: OperationDoc | null };
  production?: { exit: { code: number | null; signal: NodeJS.Signals | null }; log: string };
} = {};

async function runSideTests(): Promise<void> {
  const ignored = async () => {
    const ownDb = await openTestDb('crash_ignored');
    try {
      const [scenario] = SCENARIOS;
      const s = slot('ignored');
      await seedSlots(ownDb.collections, [s]);
      const gateway = spawnGateway(ownDb.dbName, { FAULT_KILL_AFTER_EFFECT: '1', ENABLE_FAULT_INJECTION: 'false' });
      processes.push(gateway);
      const url = await gateway.ready;
      const answer = await postGraphQL(url, scenario!.mutation, scenario!.variables(s));
      await sleep(200);
      const operationId = (answer.body.data?.[scenario!.field] as { operationId?: string } | undefined)?.operationId ?? '';
      side.ignored = {
        exit: gateway.child.exitCode,
        signal: gateway.child.signalCode,
        log: gateway.log(),
        answer,
        op: await ownDb.collections.operations.findOne({ _id: operationId }),
      };
      await gateway.stop();
    } finally {
      await ownDb.close();
    }
  };
  const production = async () => {
    const gateway = spawnGateway('unused', {
      NODE_ENV: 'production',
      AUTH_SECRET: 'a-production-secret-of-at-least-thirty-two-bytes',
      ENABLE_FAULT_INJECTION: '1',
      FAULT_KILL_AFTER_EFFECT: '1',
    });
    processes.push(gateway);
    side.production = { exit: await gateway.exited, log: gateway.log() };
  };
  await Promise.all([ignored(), production()]);
}

describe('the fault injection hook is for tests only', () => {
  it('FAULT_KILL_AFTER_EFFECT is ignored unless ENABLE_FAULT_INJECTION is on: the process lives and applies the whole operation', async () => {
    await sideTests;
    const { exit, signal, log, answer, op } = side.ignored!;
    expect(log).not.toMatch(/fault injection/);
    expect(payloadOf(SCENARIOS[0]!, answer).userErrors).toEqual([]);
    expect([exit, signal]).toEqual([null, null]);
    expect(op).toMatchObject({ status: 'done' });
  });

  it('ENABLE_FAULT_INJECTION is refused at start in production (NODE_ENV=production): exit 1 with one line', async () => {
    await sideTests;
    const { exit, log } = side.production!;
    expect(exit).toEqual({ code: 1, signal: null });
    const lines = log.split('\n').filter((l) => l.trim() !== '' && !/ExperimentalWarning|--trace-warnings/.test(l));
    expect(lines).toEqual([expect.stringContaining('ENABLE_FAULT_INJECTION must not be set in production')]);
  });

  it('faultInjectionFromEnv: no hooks unless enabled; enabled, it kills after effect n (index n - 1) only; bad values are refused', () => {
    const kills: string[] = [];
    const kill = () => void kills.push('killed');
    expect(faultInjectionFromEnv({ FAULT_KILL_AFTER_EFFECT: '2' }, 'development', kill)).toBeUndefined();
    expect(faultInjectionFromEnv({ ENABLE_FAULT_INJECTION: '0', FAULT_KILL_AFTER_EFFECT: '2' }, 'development', kill)).toBeUndefined();
    expect(faultInjectionFromEnv({ FAULT_KILL_AFTER_EFFECT: '2' }, 'production', kill)).toBeUndefined();
    const on = faultInjectionFromEnv({ ENABLE_FAULT_INJECTION: '1', FAULT_KILL_AFTER_EFFECT: '2' }, 'development', kill)!;
    on.faults.afterEffect!('op', 0);
    expect(kills).toEqual([]);
    on.faults.afterEffect!('op', 1);
    expect(kills).toEqual(['killed']);
    expect(() => faultInjectionFromEnv({ ENABLE_FAULT_INJECTION: '1', FAULT_KILL_AFTER_EFFECT: '2' }, 'production', kill)).toThrow(
      ConfigError,
    );
    for (const bad of [undefined, '', '0', '-1', 'two', '1.5']) {
      expect(() => faultInjectionFromEnv({ ENABLE_FAULT_INJECTION: 'true', FAULT_KILL_AFTER_EFFECT: bad }, 'development', kill)).toThrow(
        /FAULT_KILL_AFTER_EFFECT must be a positive integer/,
      );
    }
    expect(() => faultInjectionFromEnv({ ENABLE_FAULT_INJECTION: 'maybe' }, 'development', kill)).toThrow(
      /ENABLE_FAULT_INJECTION must be true or false/,
    );
  });
});

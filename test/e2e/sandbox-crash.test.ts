import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { openTestDb, type TestDb } from '../support/db.js';
import { ConfigError } from '../../src/shared/config.js';
import { faultInjectionFromEnv } from '../../src/write/fault-injection.js';
import { partners } from '../support/fixtures.js';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process.js';

/*
 * Snapshots and restores survive a crash (docs/sandboxes.md, "Crash safety"): a real gateway
 * process kills itself with SIGKILL part-way through a snapshot or a restore (test-only fault
 * injection: FAULT_KILL_AT_SANDBOX_STEP, src/write/fault-injection.ts; createSandbox's own snapshot
 * is the first one a process saves, so the snapshot scenario kills at the second). Another process then
 * serves the sandbox: a half-written snapshot is never used and the sandbox keeps its old state;
 * a half-done restore keeps the sandbox's callers out (SANDBOX_BUSY) until it is finished from
 * its snapshot, and then the sandbox equals that snapshot exactly: old state or new, never a mixture.
 */

const AUTH_SECRET = 'sandbox-crash-test-secret-of-at-least-32-bytes';
/** Short leases: the dead restorer's lease has ended by the time the second process looks. */
const ENV = { AUTH_SECRET, LOCK_LEASE_MS: '1000' };
const STEPS = ['snapshot:chunks-written', 'restore:deleted', 'restore:first-chunk'] as const;
type Step = (typeof STEPS)[number];

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes, read field by field in assertions
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function post(url: string, auth: Record<string, string>, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as object) };
}

const ADMIN = { 'x-partner-id': DEMO_PARTNERS.contoso.id, 'x-partner-roles': 'global_admin' };

async function ok(url: string, auth: Record<string, string>, query: string, variables: Record<string, unknown> = {}) {
  const answer = await post(url, auth, query, variables);
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data!;
}

interface Scenario {
  step: Step;
  gateway: GatewayProcess;
  sandboxId: string;
  token: string;
  /** The sandbox as snapshot 'A' saved it, and as the crash must leave it or bring it back to. */
  saved: unknown;
  /** The killed request's outcome: it must get no answer. */
  answered: boolean;
  /** The sandbox record as the crash left it. */
  statusAfterCrash: string;
  /** The tenant's lock keys: its clock, partner and every customer it ever had. */
  lockKeys: string[];
}

const STATE = `{ simulationClock { now } customers(first: 20) { totalCount nodes { id companyProfile { companyName } subscriptions(first: 5) { nodes { id quantity } } } } }`;

async function customer(url: string, token: string, label: string): Promise<string> {
  const data = await ok(
    url,
    { authorization: `Bearer ${token}` },
    `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`,
    {
      input: {
        companyProfile: { companyName: `${label} Ltd`, domain: `${label}.onmicrosoft.com` },
        billingProfile: { defaultAddress: { country: 'US' } },
      },
    },
  );
  return data.createCustomer.customer.id as string;
}

const db: { current?: TestDb } = {};
const processes: GatewayProcess[] = [];
const scenarios = new Map<Step, Scenario>();
let survivorUrl: string;

beforeAll(async () => {
  db.current = await openTestDb('sandbox_crash');
  await db.current.collections.partners.insertMany(partners());
  await db.current.collections.offers.insertMany(CATALOG.map((o) => ({ ...o })));
  const spawn = (env: Record<string, string>) => {
    const gateway = spawnGateway(db.current!.dbName, { ...ENV, ...env });
    processes.push(gateway);
    return gateway;
  };
  const doomed = STEPS.map((step) => ({
    step,
    gateway: spawn({ ENABLE_FAULT_INJECTION: '1', FAULT_KILL_AT_SANDBOX_STEP: step === 'snapshot:chunks-written' ? `${step}#2` : step }),
  }));
  await Promise.all(
    doomed.map(async ({ step, gateway }) => {
      const url = await gateway.ready;
      const created = await ok(
        url,
        ADMIN,
        `mutation ($input: CreateSandboxInput!) { createSandbox(input: $input) { sandbox { id } tokens { token } } }`,
        { input: { name: `Crash ${step}`, clockStart: '2026-05-01T00:00:00Z', ttl: 'PT1H' } },
      );
      const sandboxId = created.createSandbox.sandbox.id as string;
      const token = created.createSandbox.tokens[0].token as string;
      const as = { authorization: `Bearer ${token}` };
      const label = step.replace(/\W/g, '-');
      const partnerId = (await db.current!.collections.sandboxes.findOne({ _id: sandboxId }))!.partnerId;
      const lockKeys = [`clock:${partnerId}`, `partner:${partnerId}`];
      lockKeys.push(`customer:${await customer(url, token, `${label}-one`)}`);
      lockKeys.push(`customer:${await customer(url, token, `${label}-two`)}`);
      await ok(url, as, `mutation { advanceClock(input: { by: "PT30H" }) { to } }`);
      const snapshot = `mutation ($id: ID!, $name: String!) { snapshotSandbox(input: { sandboxId: $id, name: $name }) { snapshot { name } } }`;
      let killed: Promise<Answer>;
      if (step === 'snapshot:chunks-written') {
        killed = post(url, ADMIN, snapshot, { id: sandboxId, name: 'A' });
      } else {
        await ok(url, ADMIN, snapshot, { id: sandboxId, name: 'A' });
        // Diverge from 'A' before the restore that dies half-way.
        lockKeys.push(`customer:${await customer(url, token, `${label}-three`)}`);
        await ok(url, as, `mutation { advanceClock(input: { by: "P3D" }) { to } }`);
      }
      const saved = step === 'snapshot:chunks-written' ? await ok(url, as, STATE) : null;
      if (step !== 'snapshot:chunks-written') {
        killed = post(url, ADMIN, `mutation ($id: ID!) { restoreSandbox(input: { sandboxId: $id, snapshot: "A" }) { summary } }`, {
          id: sandboxId,
        });
      }
      const answered = await killed!.then(
        () => true,
        () => false,
      );
      const exit = await gateway.exited;
      expect(exit.signal).toBe('SIGKILL');
      const record = await db.current!.collections.sandboxes.findOne({ _id: sandboxId });
      scenarios.set(step, { step, gateway, sandboxId, token, saved, answered, statusAfterCrash: record!.status, lockKeys });
    }),
  );
  const survivor = spawn({});
  survivorUrl = await survivor.ready;
}, 150_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await db.current?.close();
});

/** Calls as the sandbox until it is let in (a restore a crash left half-way is finished first). */
async function whenLetIn(token: string, query: string): Promise<{ answer: Answer; busy: number }> {
  let busy = 0;
  for (let i = 0; i < 100; i++) {
    const answer = await post(survivorUrl, { authorization: `Bearer ${token}` }, query);
    if (answer.errors?.[0]?.extensions?.code !== 'SANDBOX_BUSY') return { answer, busy };
    busy++;
    await sleep(100);
  }
  throw new Error('still SANDBOX_BUSY after 10 s');
}

describe('a crash part-way through a snapshot or a restore', () => {
  it('killed while saving a snapshot: no answer, the sandbox keeps its state and is served, and the half-written snapshot is never listed or restored', async () => {
    const s = scenarios.get('snapshot:chunks-written')!;
    expect(s.answered).toBe(false);
    expect(s.statusAfterCrash).toBe('ready');
    const { answer, busy } = await whenLetIn(s.token, STATE);
    expect(busy).toBe(0);
    expect(answer.data).toEqual(s.saved);
    const listed = await ok(survivorUrl, ADMIN, `{ sandboxes { id snapshots { name } } }`);
    expect(listed.sandboxes.find((x: { id: string }) => x.id === s.sandboxId).snapshots).toEqual([{ name: 'initial' }]);
    const restore = await post(
      survivorUrl,
      ADMIN,
      `mutation ($id: ID!) { restoreSandbox(input: { sandboxId: $id, snapshot: "A" }) { summary } }`,
      {
        id: s.sandboxId,
      },
    );
    expect(restore.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await db.current!.collections.sandboxSnapshots.countDocuments({ sandboxId: s.sandboxId, status: 'writing' })).toBe(1);
  });

  it.each(['restore:deleted', 'restore:first-chunk'] as const)(
    'killed at %s: no answer, the sandbox stays RESTORING (its callers get SANDBOX_BUSY, never a mixture) until another instance finishes it; then it equals the snapshot exactly',
    async (step) => {
      const s = scenarios.get(step)!;
      expect(s.answered).toBe(false);
      expect(s.statusAfterCrash).toBe('restoring');
      const { answer, busy } = await whenLetIn(s.token, STATE);
      expect(busy).toBeGreaterThanOrEqual(1);
      expect(answer.errors).toBeUndefined();
      // Snapshot 'A': two customers, the clock 30 hours on; not the third customer, not the 3 days after.
      expect(answer.data!.simulationClock.now).toBe('2026-05-02T06:00:00.000Z');
      expect(answer.data!.customers.totalCount).toBe(2);
      expect(
        answer.data!.customers.nodes.map((c: { companyProfile: { companyName: string } }) => c.companyProfile.companyName).sort(),
      ).toEqual([`${step.replace(/\W/g, '-')}-one Ltd`, `${step.replace(/\W/g, '-')}-two Ltd`]);
      expect((await db.current!.collections.sandboxes.findOne({ _id: s.sandboxId }))!.status).toBe('ready');
      // The dead restorer's leases are gone too, the deleted third customer's included.
      const left = await db.current!.collections.locks.find({}).toArray();
      expect(
        left.filter((l) => s.lockKeys.includes(l._id)),
        JSON.stringify({ left, keys: s.lockKeys }),
      ).toEqual([]);
    },
  );
});

describe('FAULT_KILL_AT_SANDBOX_STEP', () => {
  it('kills at the n-th time the step is reached (default the first), only when fault injection is on; bad values are refused', () => {
    const kills: string[] = [];
    const kill = () => void kills.push('killed');
    expect(faultInjectionFromEnv({ FAULT_KILL_AT_SANDBOX_STEP: 'restore:deleted' }, 'development', kill)).toBeUndefined();
    const second = faultInjectionFromEnv(
      { ENABLE_FAULT_INJECTION: '1', FAULT_KILL_AT_SANDBOX_STEP: 'snapshot:chunks-written#2' },
      'development',
      kill,
    )!;
    second.faults.atSandboxStep!('restore:deleted');
    second.faults.atSandboxStep!('snapshot:chunks-written');
    expect(kills).toEqual([]);
    second.faults.atSandboxStep!('snapshot:chunks-written');
    expect(kills).toEqual(['killed']);
    for (const bad of ['restore', 'restore:deleted#0', 'restore:deleted#x']) {
      expect(() => faultInjectionFromEnv({ ENABLE_FAULT_INJECTION: '1', FAULT_KILL_AT_SANDBOX_STEP: bad }, 'development', kill)).toThrow(
        ConfigError,
      );
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, OFFER_IDS as O } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { callAs, type SandboxCaller } from '../support/sandbox-calls.js';

/*
 * Sandbox snapshots (docs/sandboxes.md, "Snapshots, restore and reset") through GraphQL against a
 * real gateway and database: snapshotSandbox saves a whole tenant with its clock, restoreSandbox
 * and resetSandbox bring it back, exactly; the gate answers SANDBOX_BUSY while a restore runs and
 * finishes one a crash left half-way; mintSandboxToken; bad input and other administrators.
 * PARTNER_CACHE_MS is left at its default: the gate, not the cache, refuses a deleted sandbox.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;

type Caller = SandboxCaller;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(
    async (cols) => {
      await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
    },
    // A short lease: the crash test below waits for a dead restorer's lease to end.
    { env: { LOCK_LEASE_MS: '1500' } },
  );
});
afterAll(() => gw?.close());

const gql = <T>(caller: Caller, query: string, variables: Record<string, unknown> = {}) => callAs<T>(gw.url, caller, query, variables);

async function ok<T>(caller: Caller, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await gql<T>(caller, query, variables);
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data!;
}

const ADMIN: Caller = { partner: CONTOSO };

interface Sandbox {
  id: string;
  partnerId: string;
  token: string;
}

async function newSandbox(name: string, clockStart = '2026-03-01T00:00:00Z'): Promise<Sandbox> {
  const { createSandbox } = await ok<{
    createSandbox: { sandbox: { id: string; partnerId: string }; tokens: { token: string }[] };
  }>(ADMIN, `mutation ($input: CreateSandboxInput!) { createSandbox(input: $input) { sandbox { id partnerId } tokens { token } } }`, {
    input: { name, clockStart, roles: ['GLOBAL_ADMIN', 'ADMIN_AGENT'], ttl: 'PT1H' },
  });
  return { id: createSandbox.sandbox.id, partnerId: createSandbox.sandbox.partnerId, token: createSandbox.tokens[0]!.token };
}

async function addCustomer(sb: Sandbox, label: string): Promise<string> {
  const { createCustomer } = await ok<{ createCustomer: { customer: { id: string } } }>(
    { token: sb.token },
    `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`,
    {
      input: {
        companyProfile: { companyName: `${label} Ltd`, domain: `${label}.onmicrosoft.com` },
        billingProfile: { defaultAddress: { country: 'US' } },
      },
    },
  );
  return createCustomer.customer.id;
}

async function buy(sb: Sandbox, customerId: string, quantity: number): Promise<string> {
  const { purchase } = await ok<{ purchase: { subscriptions: { id: string }[] } }>(
    { token: sb.token },
    `mutation ($input: PurchaseInput!) { purchase(input: $input) { subscriptions { id } } }`,
    { input: { customerId, lineItems: [{ offerId: O.m365BusinessBasic, quantity, billingCycle: 'MONTHLY', termDuration: 'P1M' }] } },
  );
  return purchase.subscriptions[0]!.id;
}

const advance = (sb: Sandbox, by: string) =>
  ok({ token: sb.token }, `mutation ($by: String!) { advanceClock(input: { by: $by }) { to } }`, { by });

/** What a test would assert on: the clock, the customers, each subscription's seats and status, and the ledger. */
async function state(sb: Sandbox) {
  const data = await ok<{
    simulationClock: { now: string };
    customers: {
      totalCount: number;
      nodes: { id: string; subscriptions: { nodes: { id: string; quantity: number; status: string }[] } }[];
    };
  }>(
    { token: sb.token },
    `{ simulationClock { now } customers(first: 20) { totalCount nodes { id subscriptions(first: 20) { nodes { id quantity status } } } } }`,
  );
  const ledger = await gw.collections.ledger.find({ partnerId: sb.partnerId }).sort({ _id: 1 }).toArray();
  return { ...data, ledger: ledger.map((e) => [e._id, e.amountCents]) };
}

const SNAPSHOT = `mutation ($id: ID!, $name: String!) { snapshotSandbox(input: { sandboxId: $id, name: $name }) { snapshot { name clockNow documentCount } } }`;
const RESTORE = `mutation ($id: ID!, $name: String!) { restoreSandbox(input: { sandboxId: $id, snapshot: $name }) { sandbox { status } snapshot { name clockNow } summary } }`;
const RESET = `mutation ($id: ID!) { resetSandbox(input: { sandboxId: $id }) { sandbox { status } snapshot { name clockNow } } }`;
const DELETE = `mutation ($id: ID!) { deleteSandbox(input: { sandboxId: $id }) { deletedSandboxId } }`;

describe('snapshotSandbox, restoreSandbox and resetSandbox', () => {
  it('SANDBOX-SNAPSHOT: a restore brings back every document and the clock exactly as saved, whatever happened since', async () => {
    const sb = await newSandbox('Snapshot suite');
    const customer = await addCustomer(sb, 'snap-one');
    const sub = await buy(sb, customer, 10);
    await advance(sb, 'PT25H');
    const saved = await state(sb);
    const { snapshotSandbox } = await ok<{ snapshotSandbox: { snapshot: { name: string; clockNow: string; documentCount: number } } }>(
      ADMIN,
      SNAPSHOT,
      { id: sb.id, name: 'after purchase' },
    );
    expect(snapshotSandbox.snapshot).toMatchObject({ name: 'after purchase', clockNow: '2026-03-02T01:00:00.000Z' });
    expect(snapshotSandbox.snapshot.documentCount).toBeGreaterThan(3);

    // Diverge: another customer, fewer seats, a cancellation, a week on.
    await addCustomer(sb, 'snap-two');
    await ok(
      { token: sb.token },
      `mutation ($id: ID!) { updateSubscription(input: { subscriptionId: $id, quantity: 4 }) { userErrors { code } } }`,
      { id: sub },
    ).catch(() => undefined);
    await advance(sb, 'P7D');
    expect(await state(sb)).not.toEqual(saved);

    const { restoreSandbox } = await ok<{ restoreSandbox: { sandbox: { status: string }; snapshot: { name: string; clockNow: string } } }>(
      ADMIN,
      RESTORE,
      { id: sb.id, name: 'after purchase' },
    );
    expect(restoreSandbox).toMatchObject({
      sandbox: { status: 'READY' },
      snapshot: { name: 'after purchase', clockNow: '2026-03-02T01:00:00.000Z' },
    });
    expect(await state(sb)).toEqual(saved);
    // The clock moves on from the restored instant, and the restored tenant takes writes.
    await advance(sb, 'PT1H');
    expect((await state(sb)).simulationClock.now).toBe('2026-03-02T02:00:00.000Z');
    await addCustomer(sb, 'snap-two');
    await ok(ADMIN, DELETE, { id: sb.id });
  });

  it("SANDBOX-SNAPSHOT: resetSandbox brings the sandbox back to what createSandbox made ('initial'), clock included", async () => {
    const sb = await newSandbox('Reset suite', '2025-06-01T12:00:00Z');
    const fresh = await state(sb);
    await buy(sb, await addCustomer(sb, 'reset-one'), 2);
    await advance(sb, 'P40D');
    const { resetSandbox } = await ok<{ resetSandbox: { snapshot: { name: string; clockNow: string } } }>(ADMIN, RESET, { id: sb.id });
    expect(resetSandbox.snapshot).toEqual({ name: 'initial', clockNow: '2025-06-01T12:00:00.000Z' });
    expect(await state(sb)).toEqual(fresh);
    // The same domain is free again: the customer that held it is gone.
    await addCustomer(sb, 'reset-one');
    const listed = await ok<{ sandboxes: { id: string; snapshots: { name: string }[] }[] }>(
      ADMIN,
      `{ sandboxes { id snapshots { name } } }`,
    );
    expect(listed.sandboxes.find((s) => s.id === sb.id)!.snapshots.map((s) => s.name)).toEqual(['initial']);
    await ok(ADMIN, DELETE, { id: sb.id });
  });

  it('SANDBOX-SNAPSHOT: saving under a taken name replaces that snapshot; each sandbox keeps its own', async () => {
    const a = await newSandbox('Names A');
    const b = await newSandbox('Names B');
    await ok(ADMIN, SNAPSHOT, { id: a.id, name: 'x' });
    await advance(a, 'PT5H');
    await ok(ADMIN, SNAPSHOT, { id: a.id, name: 'x' });
    await ok(ADMIN, SNAPSHOT, { id: b.id, name: 'x' });
    await advance(a, 'PT5H');
    await ok(ADMIN, RESTORE, { id: a.id, name: 'x' });
    expect((await state(a)).simulationClock.now).toBe('2026-03-01T05:00:00.000Z');
    expect(await gw.collections.sandboxSnapshots.countDocuments({ sandboxId: a.id })).toBe(2);
    const listed = await ok<{ sandboxes: { id: string; snapshots: { name: string }[] }[] }>(
      ADMIN,
      `{ sandboxes { id snapshots { name } } }`,
    );
    expect(listed.sandboxes.find((s) => s.id === a.id)!.snapshots.map((s) => s.name)).toEqual(['initial', 'x']);
    await ok(ADMIN, DELETE, { id: a.id });
    await ok(ADMIN, DELETE, { id: b.id });
    // deleteSandbox removes its snapshots with it.
    expect(await gw.collections.sandboxSnapshots.countDocuments({ sandboxId: { $in: [a.id, b.id] } })).toBe(0);
  });

  it('a snapshot saved before customers carried search tokens restores customers a search finds (their tokens made on the way back)', async () => {
    const sb = await newSandbox('snap-old-tokens');
    const id = await addCustomer(sb, 'Quillfeather');
    await ok(ADMIN, SNAPSHOT, { id: sb.id, name: 'before-tokens' });
    // As a snapshot taken by an earlier version stored them: customers without searchPrefixes.
    const snapshot = await gw.collections.sandboxSnapshots.findOne({ sandboxId: sb.id, name: 'before-tokens' });
    const chunks = await gw.collections.sandboxSnapshotChunks.find({ snapshotId: snapshot!._id, collection: 'customers' }).toArray();
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) {
      const docs = (chunk.docs as Record<string, unknown>[]).map(({ searchPrefixes: _dropped, ...doc }) => doc);
      await gw.collections.sandboxSnapshotChunks.updateOne({ _id: chunk._id }, { $set: { docs } });
    }
    await ok(ADMIN, RESTORE, { id: sb.id, name: 'before-tokens' });
    const found = await ok<{ customers: { nodes: { id: string }[] } }>(
      { token: sb.token },
      `{ customers(first: 5, filter: { search: "quill" }) { nodes { id } } }`,
    );
    expect(found.customers.nodes.map((c) => c.id)).toEqual([id]);
  });

  it('bad input: a bad or reserved snapshot name is BAD_USER_INPUT, an unknown snapshot NOT_FOUND naming those there are; nothing changes', async () => {
    const sb = await newSandbox('Bad input');
    for (const name of ['', 'initial', '../etc', 'x'.repeat(65)]) {
      const answer = await gql(ADMIN, SNAPSHOT, { id: sb.id, name });
      expect(answer.errors?.[0]?.extensions, name).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    }
    const missing = await gql(ADMIN, RESTORE, { id: sb.id, name: 'nope' });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.snapshot' });
    expect(missing.errors?.[0]?.message).toContain("has no snapshot named 'nope'; it has 'initial'");
    expect(await gw.collections.sandboxSnapshots.countDocuments({ sandboxId: sb.id })).toBe(1);
    await ok(ADMIN, DELETE, { id: sb.id });
  });

  it("SANDBOX-ADMIN: another administrator's sandbox is NOT_FOUND for snapshot, restore, reset and tokens; a sandbox's own token is FORBIDDEN", async () => {
    const sb = await newSandbox('Not yours');
    const other: Caller = { partner: FABRIKAM };
    for (const [query, vars] of [
      [SNAPSHOT, { id: sb.id, name: 'x' }],
      [RESTORE, { id: sb.id, name: 'initial' }],
      [RESET, { id: sb.id }],
      [`mutation ($id: ID!) { mintSandboxToken(input: { sandboxId: $id, roles: [GLOBAL_ADMIN] }) { token { token } } }`, { id: sb.id }],
    ] as const) {
      expect((await gql(other, query, vars)).errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
      expect((await gql({ token: sb.token }, query, vars)).errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        rule: 'SANDBOX-ADMIN',
      });
    }
    expect(await gw.collections.sandboxSnapshots.countDocuments({ sandboxId: sb.id })).toBe(1);
    await ok(ADMIN, DELETE, { id: sb.id });
  });
});

describe('the tenant locks', () => {
  it('a restore waits for a writer that holds one customer’s lock: CONFLICT after the wait with nothing changed and nothing held; a dead writer’s lease is taken over', async () => {
    const sb = await newSandbox('Locked');
    const one = await addCustomer(sb, 'locked-one');
    await addCustomer(sb, 'locked-two');
    await ok(ADMIN, SNAPSHOT, { id: sb.id, name: 'two' });
    await addCustomer(sb, 'locked-three');
    // A live writer of customer one (its lease far from over).
    await gw.collections.locks.insertOne({ _id: `customer:${one}`, holder: 'live-writer', expiresAt: new Date(Date.now() + 60_000) });
    const refused = await gql(ADMIN, RESTORE, { id: sb.id, name: 'two' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await state(sb)).customers.totalCount).toBe(3);
    expect((await gw.collections.sandboxes.findOne({ _id: sb.id }))!.status).toBe('ready');
    expect((await gw.collections.locks.find({}).toArray()).map((l) => l.holder)).toEqual(['live-writer']);
    // The writer died: its lease ends, and the restore takes the lock over.
    await gw.collections.locks.updateOne({ _id: `customer:${one}` }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    await ok(ADMIN, RESTORE, { id: sb.id, name: 'two' });
    expect((await state(sb)).customers.totalCount).toBe(2);
    expect(await gw.collections.locks.countDocuments({})).toBe(0);
    await ok(ADMIN, DELETE, { id: sb.id });
  });
});

describe('audit', () => {
  it("sandbox administration is in the administrator's auditRecords: create, snapshot, restore, reset, token and delete, never a token, a dry run not at all", async () => {
    const sb = await newSandbox('Audited');
    await ok(ADMIN, SNAPSHOT, { id: sb.id, name: 'audited' });
    await ok(ADMIN, RESTORE, { id: sb.id, name: 'audited' });
    await ok(ADMIN, `mutation ($id: ID!) { resetSandbox(input: { sandboxId: $id, dryRun: true }) { dryRun } }`, { id: sb.id });
    await ok(ADMIN, RESET, { id: sb.id });
    await ok(ADMIN, `mutation ($id: ID!) { mintSandboxToken(input: { sandboxId: $id, roles: [SALES_AGENT] }) { token { token } } }`, {
      id: sb.id,
    });
    await ok(ADMIN, DELETE, { id: sb.id });
    const { simulationClock } = await ok<{ simulationClock: { now: string } }>(ADMIN, '{ simulationClock { now } }');
    const at = Date.parse(simulationClock.now);
    const { auditRecords } = await ok<{
      auditRecords: { nodes: { operationType: string; resourceType: string; resourceId: string; outcome: string; input: string }[] };
    }>(
      ADMIN,
      `query ($from: DateTimeISO!, $to: DateTimeISO!) { auditRecords(from: $from, to: $to, first: 100) { nodes { operationType resourceType resourceId outcome input } } }`,
      { from: new Date(at - 86_400_000).toISOString(), to: new Date(at + 86_400_000).toISOString() },
    );
    const mine = auditRecords.nodes.filter((r) => r.resourceId === sb.id);
    expect(mine.map((r) => r.operationType)).toEqual([
      'create_sandbox',
      'snapshot_sandbox',
      'restore_sandbox',
      'reset_sandbox',
      'mint_sandbox_token',
      'delete_sandbox',
    ]);
    expect(mine.every((r) => r.resourceType === 'sandbox' && r.outcome === 'accepted')).toBe(true);
    expect(JSON.stringify(mine)).not.toContain('eyJ');
  });
});

describe('mintSandboxToken', () => {
  it('SANDBOX-ADMIN: mints a token with other roles for the sandbox only; no roles or a bad ttl is BAD_USER_INPUT', async () => {
    const sb = await newSandbox('Tokens');
    const MINT = `mutation ($id: ID!, $roles: [PartnerRole!]!, $ttl: String) { mintSandboxToken(input: { sandboxId: $id, roles: $roles, ttl: $ttl }) { token { roles token expiresAt } } }`;
    const { mintSandboxToken } = await ok<{ mintSandboxToken: { token: { roles: string[]; token: string; expiresAt: string } } }>(
      ADMIN,
      MINT,
      {
        id: sb.id,
        roles: ['SALES_AGENT'],
        ttl: 'PT10M',
      },
    );
    expect(mintSandboxToken.token.roles).toEqual(['SALES_AGENT']);
    expect(Date.parse(mintSandboxToken.token.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    const me = await ok<{ viewer: { partner: { id: string }; roles: string[] } }>(
      { token: mintSandboxToken.token.token },
      '{ viewer { partner { id } roles } }',
    );
    expect(me.viewer).toEqual({ partner: { id: sb.partnerId }, roles: ['SALES_AGENT'] });
    expect((await gql(ADMIN, MINT, { id: sb.id, roles: [] })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.roles',
    });
    expect((await gql(ADMIN, MINT, { id: sb.id, roles: ['SALES_AGENT'], ttl: 'P1M' })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.ttl',
    });
    await ok(ADMIN, DELETE, { id: sb.id });
  });
});

describe('the gate: a sandbox’s callers are let in only while it is ready', () => {
  it('a deleted sandbox’s tokens are UNAUTHENTICATED at once, although its partner is still in the authentication cache', async () => {
    const sb = await newSandbox('Gate deleted');
    await ok({ token: sb.token }, '{ viewer { partner { id } } }');
    await ok(ADMIN, DELETE, { id: sb.id });
    const after = await gql({ token: sb.token }, '{ viewer { partner { id } } }');
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const advanced = await gql({ token: sb.token }, `mutation { advanceClock(input: { by: "PT1H" }) { to } }`);
    expect(advanced.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await gw.collections.clock.countDocuments({ _id: sb.partnerId })).toBe(0);
  });

  it('SANDBOX_BUSY (HTTP 503, Retry-After) while a restore is under way; a restore whose restorer died is finished from its snapshot by the next caller', async () => {
    const sb = await newSandbox('Gate restoring');
    await addCustomer(sb, 'gate-one');
    await ok(ADMIN, SNAPSHOT, { id: sb.id, name: 'one customer' });
    await addCustomer(sb, 'gate-two');
    const snapshot = (await gw.collections.sandboxSnapshots.findOne({ sandboxId: sb.id, name: 'one customer' }))!;
    // A restorer that died right after deleting the tenant's documents: half of a restore.
    await gw.collections.sandboxes.updateOne(
      { _id: sb.id },
      { $set: { status: 'restoring', restoring: { snapshotId: snapshot._id, holder: 'dead', leaseUntil: new Date(Date.now() + 60_000) } } },
    );
    await gw.collections.customers.deleteMany({ partnerId: sb.partnerId });
    const busy = await gql({ token: sb.token }, '{ customers(first: 5) { totalCount } }');
    expect(busy.status).toBe(503);
    expect(busy.retryAfter).toBe('1');
    expect(busy.errors?.[0]?.extensions?.code).toBe('SANDBOX_BUSY');
    const listed = await ok<{ sandboxes: { id: string; status: string }[] }>(ADMIN, `{ sandboxes { id status } }`);
    expect(listed.sandboxes.find((s) => s.id === sb.id)?.status).toBe('RESTORING');
    expect((await gql(ADMIN, SNAPSHOT, { id: sb.id, name: 'y' })).errors?.[0]?.extensions?.code).toBe('CONFLICT');

    // Its lease ends: the next caller starts finishing it, and is let in once it is done.
    await gw.collections.sandboxes.updateOne({ _id: sb.id }, { $set: { 'restoring.leaseUntil': new Date(Date.now() - 1) } });
    let answer = await gql<{ customers: { totalCount: number } }>({ token: sb.token }, '{ customers(first: 5) { totalCount } }');
    for (let i = 0; i < 50 && answer.errors?.[0]?.extensions?.code === 'SANDBOX_BUSY'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await gql({ token: sb.token }, '{ customers(first: 5) { totalCount } }');
    }
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.customers.totalCount).toBe(1);
    expect((await gw.collections.sandboxes.findOne({ _id: sb.id }))!.status).toBe('ready');
    await ok(ADMIN, DELETE, { id: sb.id });
  });
});

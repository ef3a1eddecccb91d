import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { CREATING_GRACE_MS, TENANT_COLLECTIONS } from '../../src/sandbox/sandbox.repository.js';
import { aCustomer, guid } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { callAs, type SandboxCaller } from '../support/sandbox-calls.js';

/*
 * Test sandboxes (docs/sandboxes.md) through GraphQL against a real gateway and database:
 * createSandbox, sandboxes and deleteSandbox, who may call them (SANDBOX-ADMIN), the quota
 * (SANDBOX-QUOTA), bad input, isolation from the demo partners and between sandboxes, and the purge.
 * Contoso's global admin administers; Fabrikam's has a quota of its own (SANDBOX_MAX_PER_ADMIN=2).
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const CONTOSO_CUSTOMER = guid('sandbox-test-contoso-customer');

type Caller = SandboxCaller;

const gql = <T>(caller: Caller, query: string, variables: Record<string, unknown> = {}) => callAs<T>(gw.url, caller, query, variables);

interface Created {
  createSandbox: {
    sandbox: {
      id: string;
      name: string;
      partnerId: string;
      partnerType: string;
      clockStart: string;
      createdAt: string;
      expiresAt: string;
      customerCount: number;
    };
    tokens: { roles: string[]; token: string; expiresAt: string }[];
    userErrors: unknown[];
  };
}

const CREATE = `mutation ($input: CreateSandboxInput!) {
  createSandbox(input: $input) {
    sandbox { id name partnerId partnerType clockStart createdAt expiresAt customerCount }
    tokens { roles token expiresAt }
    userErrors { code message }
  }
}`;
const DELETE = `mutation ($id: ID!) { deleteSandbox(input: { sandboxId: $id }) { deletedSandboxId userErrors { code } } }`;
const LIST = `{ sandboxes { id name partnerId } }`;

async function create(input: Record<string, unknown>, caller: Caller = { partner: CONTOSO }): Promise<Created['createSandbox']> {
  const answer = await gql<Created>(caller, CREATE, { input });
  expect(answer.errors).toBeUndefined();
  return answer.data!.createSandbox;
}

/** Every document in the database that names `partnerId`, by collection: the sandbox, partner, clock and tenant data. */
async function traces(cols: Collections, partnerId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {
    partners: await cols.partners.countDocuments({ _id: partnerId }),
    clock: await cols.clock.countDocuments({ _id: partnerId }),
    sandboxes: await cols.sandboxes.countDocuments({ partnerId }),
  };
  for (const name of TENANT_COLLECTIONS) counts[name] = await cols[name].countDocuments({ partnerId } as never);
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(
    async (cols) => {
      await cols.customers.insertOne(aCustomer({ _id: CONTOSO_CUSTOMER, companyName: 'Sandbox Test Contoso Customer' }));
    },
    // PARTNER_CACHE_MS=0: a deleted sandbox's token is refused at once, not within the cache's 30 s.
    // SANDBOX_PURGE_INTERVAL_MS=1000, the least: the purge timer's test waits for it.
    { env: { SANDBOX_MAX_PER_ADMIN: '2', PARTNER_CACHE_MS: '0', SANDBOX_TTL_MAX: 'P2D', SANDBOX_PURGE_INTERVAL_MS: '1000' } },
  );
});
afterAll(() => gw?.close());

describe('createSandbox', () => {
  it('SANDBOX-ADMIN: a global admin creates a sandbox with its own partner, a clock at clockStart and a token for the roles asked', async () => {
    const before = Date.now();
    const { sandbox, tokens, userErrors } = await create({
      name: 'Renewal suite',
      partnerType: 'INDIRECT_RESELLER',
      clockStart: '2025-03-01T08:00:00Z',
      roles: ['ADMIN_AGENT', 'BILLING_ADMIN'],
      ttl: 'PT2H',
    });
    expect(userErrors).toEqual([]);
    expect(sandbox).toMatchObject({
      name: 'Renewal suite',
      partnerType: 'INDIRECT_RESELLER',
      clockStart: '2025-03-01T08:00:00.000Z',
      customerCount: 0,
    });
    expect(sandbox.partnerId).not.toBe(CONTOSO);
    expect(Date.parse(sandbox.expiresAt) - Date.parse(sandbox.createdAt)).toBe(2 * 3_600_000);
    expect(Date.parse(sandbox.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(tokens).toEqual([{ roles: ['ADMIN_AGENT', 'BILLING_ADMIN'], token: expect.any(String), expiresAt: sandbox.expiresAt }]);

    const me = await gql<{ viewer: { partner: { id: string; name: string }; roles: string[] }; simulationClock: { now: string } }>(
      { token: tokens[0]!.token },
      '{ viewer { partner { id name } roles } simulationClock { now } }',
    );
    expect(me.errors).toBeUndefined();
    expect(me.data).toEqual({
      viewer: { partner: { id: sandbox.partnerId, name: 'Renewal suite' }, roles: ['ADMIN_AGENT', 'BILLING_ADMIN'] },
      simulationClock: { now: '2025-03-01T08:00:00.000Z' },
    });
    await gql({ partner: CONTOSO }, DELETE, { id: sandbox.id });
  });

  it('SANDBOX-ADMIN: a caller without global_admin, and a sandbox’s own token even with global_admin, get FORBIDDEN', async () => {
    const agent = await gql({ partner: CONTOSO, roles: 'admin_agent' }, CREATE, { input: { name: 'x' } });
    expect(agent.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'SANDBOX-ADMIN' });
    expect(agent.errors?.[0]?.message).toContain('global_admin');

    const { sandbox, tokens } = await create({ name: 'Nested', roles: ['GLOBAL_ADMIN'] });
    for (const query of [LIST, CREATE]) {
      const nested = await gql({ token: tokens[0]!.token }, query, { input: { name: 'inner' } });
      expect(nested.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'SANDBOX-ADMIN' });
    }
    expect(await gw.collections.sandboxes.countDocuments({ adminPartnerId: sandbox.partnerId })).toBe(0);
    await gql({ partner: CONTOSO }, DELETE, { id: sandbox.id });
  });

  it('bad input is BAD_USER_INPUT naming the field and what it expects, and creates nothing', async () => {
    const partnersBefore = await gw.collections.partners.countDocuments();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: '  ' }, 'input.name', '1 to 100 characters'],
      [{ name: 'x'.repeat(101) }, 'input.name', '1 to 100 characters'],
      [{ name: 'x', clockStart: '1999-12-31T23:59:59Z' }, 'input.clockStart', 'from 2000-01-01T00:00:00.000Z'],
      [{ name: 'x', clockStart: '2100-01-01T00:00:00Z' }, 'input.clockStart', 'to before 2100-01-01T00:00:00.000Z'],
      [{ name: 'x', ttl: 'P3D' }, 'input.ttl', 'at most P2D (SANDBOX_TTL_MAX)'],
      [{ name: 'x', ttl: 'P1M' }, 'input.ttl', 'weeks, days, hours, minutes or seconds'],
      [{ name: 'x', ttl: 'soon' }, 'input.ttl', "but got 'soon'"],
      [{ name: 'x', roles: [] }, 'input.roles', 'at least one role'],
    ];
    for (const [input, field, expected] of cases) {
      const answer = await gql({ partner: CONTOSO }, CREATE, { input });
      expect(answer.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(answer.errors?.[0]?.message).toContain(expected);
    }
    expect(await gw.collections.partners.countDocuments()).toBe(partnersBefore);
    expect(await gw.collections.sandboxes.countDocuments()).toBe(0);
  });

  it('SANDBOX-QUOTA: an administrator holds at most SANDBOX_MAX_PER_ADMIN sandboxes; the next is FORBIDDEN and leaves nothing', async () => {
    const fabrikam = { partner: FABRIKAM };
    const first = await create({ name: 'q1' }, fabrikam);
    const second = await create({ name: 'q2' }, fabrikam);
    const partnersBefore = await gw.collections.partners.countDocuments();
    const third = await gql(fabrikam, CREATE, { input: { name: 'q3' } });
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'SANDBOX-QUOTA' });
    expect(third.errors?.[0]?.message).toContain('SANDBOX_MAX_PER_ADMIN');
    expect(await gw.collections.partners.countDocuments()).toBe(partnersBefore);
    expect(await gw.collections.sandboxes.countDocuments({ adminPartnerId: FABRIKAM })).toBe(2);
    // Another administrator's quota is its own.
    const contosos = await create({ name: 'c1' });
    // Deleting one frees its place.
    await gql(fabrikam, DELETE, { id: first.sandbox.id });
    const again = await create({ name: 'q3' }, fabrikam);
    for (const [id, who] of [
      [second.sandbox.id, fabrikam],
      [again.sandbox.id, fabrikam],
      [contosos.sandbox.id, { partner: CONTOSO }],
    ] as const) {
      await gql(who, DELETE, { id });
    }
  });
});

describe('SANDBOX-QUOTA under concurrency and crashes', () => {
  it('SANDBOX-QUOTA: six creations at once by an administrator with 2 places: exactly 2 succeed, the others are FORBIDDEN and leave nothing', async () => {
    const fabrikam = { partner: FABRIKAM };
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => gql<Created>(fabrikam, CREATE, { input: { name: `race ${i}` } })));
    const made = answers.filter((a) => a.data?.createSandbox);
    expect(made).toHaveLength(2);
    expect(answers.filter((a) => a.errors?.[0]?.extensions?.rule === 'SANDBOX-QUOTA')).toHaveLength(4);
    expect(await gw.collections.sandboxes.countDocuments({ adminPartnerId: FABRIKAM })).toBe(2);
    expect(await gw.collections.sandboxPlaces.countDocuments({ adminPartnerId: FABRIKAM })).toBe(2);
    for (const a of made) await gql(fabrikam, DELETE, { id: a.data!.createSandbox.sandbox.id });
    expect(await gw.collections.sandboxPlaces.countDocuments({ adminPartnerId: FABRIKAM })).toBe(0);
  });

  it('SANDBOX-QUOTA: a place a crash left taken (before its sandbox was recorded) is given back by the purge after its grace', async () => {
    const fabrikam = { partner: FABRIKAM };
    const one = await create({ name: 'leak 1' }, fabrikam);
    // A creator that died between taking its place and recording its sandbox, six minutes ago.
    const held = (await gw.collections.sandboxPlaces.findOne({ adminPartnerId: FABRIKAM }))!;
    await gw.collections.sandboxPlaces.insertOne({
      _id: `${FABRIKAM}#${held._id.endsWith('#0') ? 1 : 0}`,
      adminPartnerId: FABRIKAM,
      sandboxId: 'never-recorded',
      createdAt: new Date(Date.now() - 6 * 60_000),
    });
    // Every place is held, so the creation purges first, and the purge gives the orphan place back.
    const two = await create({ name: 'leak 2' }, fabrikam);
    expect(await gw.collections.sandboxPlaces.countDocuments({ sandboxId: 'never-recorded' })).toBe(0);
    for (const id of [one.sandbox.id, two.sandbox.id]) await gql(fabrikam, DELETE, { id });
  });
});

describe('isolation: a sandbox is a partner tenant like any other (ROLE-TENANT)', () => {
  it('ROLE-TENANT: a sandbox token sees nothing of the demo partners, and the demo partners nothing of the sandbox', async () => {
    const { sandbox, tokens } = await create({ name: 'Isolated' });
    const token = tokens[0]!.token;
    const sandboxCustomer = guid('sandbox-test-own-customer');
    await gw.collections.customers.insertOne(
      aCustomer({ _id: sandboxCustomer, partnerId: sandbox.partnerId, companyName: 'Sandbox Own Customer' }),
    );
    const CUSTOMERS = '{ customers(first: 50) { totalCount nodes { id } } }';
    const mine = await gql<{ customers: { totalCount: number; nodes: { id: string }[] } }>({ token }, CUSTOMERS);
    expect(mine.data?.customers.nodes).toEqual([{ id: sandboxCustomer }]);
    const demoCustomer = await gql({ token }, 'query ($id: ID!) { customer(id: $id) { id } }', { id: CONTOSO_CUSTOMER });
    expect(demoCustomer.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const contoso = await gql<{ customers: { nodes: { id: string }[] } }>({ partner: CONTOSO, roles: 'admin_agent' }, CUSTOMERS);
    expect(contoso.data?.customers.nodes.map((n) => n.id)).toEqual([CONTOSO_CUSTOMER]);
    const theirs = await gql({ partner: CONTOSO, roles: 'admin_agent' }, 'query ($id: ID!) { customer(id: $id) { id } }', {
      id: sandboxCustomer,
    });
    expect(theirs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await gql({ partner: CONTOSO }, DELETE, { id: sandbox.id });
  });

  it('GEN-CLOCK: two sandboxes’ clocks are independent: advanceClock in one leaves the other’s and the demo partner’s', async () => {
    const a = await create({ name: 'Clock A', clockStart: '2026-01-01T00:00:00Z', roles: ['ADMIN_AGENT'] });
    const b = await create({ name: 'Clock B', clockStart: '2026-01-01T00:00:00Z', roles: ['ADMIN_AGENT'] });
    const contosoBefore = await gql<{ simulationClock: { now: string } }>({ partner: CONTOSO }, '{ simulationClock { now } }');
    const advanced = await gql<{ advanceClock: { to: string } }>(
      { token: a.tokens[0]!.token },
      'mutation { advanceClock(input: { by: "PT25H" }) { to userErrors { code } } }',
    );
    expect(advanced.data?.advanceClock.to).toBe('2026-01-02T01:00:00.000Z');
    const clock = (caller: Caller) =>
      gql<{ simulationClock: { now: string } }>(caller, '{ simulationClock { now } }').then((r) => r.data?.simulationClock.now);
    expect(await clock({ token: a.tokens[0]!.token })).toBe('2026-01-02T01:00:00.000Z');
    expect(await clock({ token: b.tokens[0]!.token })).toBe('2026-01-01T00:00:00.000Z');
    expect(await clock({ partner: CONTOSO })).toBe(contosoBefore.data?.simulationClock.now);
    for (const s of [a, b]) await gql({ partner: CONTOSO }, DELETE, { id: s.sandbox.id });
  });
});

describe('sandboxes and deleteSandbox', () => {
  it('SANDBOX-ADMIN: sandboxes lists the caller’s own sandboxes only, oldest first', async () => {
    const one = await create({ name: 'List one' });
    const two = await create({ name: 'List two' });
    const theirs = await create({ name: 'Fabrikam’s' }, { partner: FABRIKAM });
    const list = await gql<{ sandboxes: { id: string; name: string; partnerId: string }[] }>({ partner: CONTOSO }, LIST);
    expect(list.data?.sandboxes).toEqual([
      { id: one.sandbox.id, name: 'List one', partnerId: one.sandbox.partnerId },
      { id: two.sandbox.id, name: 'List two', partnerId: two.sandbox.partnerId },
    ]);
    for (const s of [one, two]) await gql({ partner: CONTOSO }, DELETE, { id: s.sandbox.id });
    await gql({ partner: FABRIKAM }, DELETE, { id: theirs.sandbox.id });
  });

  it('deleteSandbox removes the sandbox, its partner, clock and every document its partner owns; its token is refused after', async () => {
    const { sandbox, tokens } = await create({ name: 'Doomed' });
    const { partnerId } = sandbox;
    await gw.collections.customers.insertOne(aCustomer({ _id: guid('doomed-customer'), partnerId, companyName: 'Doomed Customer' }));
    // A write through the API, so that the tenant owns audit and journal records too.
    await gql({ token: tokens[0]!.token }, 'mutation { advanceClock(input: { by: "PT1H" }) { to } }');
    expect(Object.keys(await traces(gw.collections, partnerId))).toEqual(
      expect.arrayContaining(['partners', 'clock', 'sandboxes', 'customers']),
    );

    const deleted = await gql<{ deleteSandbox: { deletedSandboxId: string } }>({ partner: CONTOSO }, DELETE, { id: sandbox.id });
    expect(deleted.data?.deleteSandbox.deletedSandboxId).toBe(sandbox.id);
    expect(await traces(gw.collections, partnerId)).toEqual({});
    const after = await gql({ token: tokens[0]!.token }, '{ viewer { userId } }');
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // Nothing of Contoso's went with it.
    expect(await gw.collections.customers.countDocuments({ _id: CONTOSO_CUSTOMER })).toBe(1);
  });

  it('deleteSandbox of an unknown sandbox, or of another administrator’s, is NOT_FOUND and deletes nothing; a dry run deletes nothing either', async () => {
    const theirs = await create({ name: 'Not yours' }, { partner: FABRIKAM });
    for (const id of [guid('no-such-sandbox'), theirs.sandbox.id]) {
      const answer = await gql({ partner: CONTOSO }, DELETE, { id });
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', kind: 'sandbox' });
    }
    expect(await traces(gw.collections, theirs.sandbox.partnerId)).toMatchObject({ partners: 1, clock: 1, sandboxes: 1 });
    // Its administrator's dry run finds it and changes nothing.
    const dry = await gql<{ deleteSandbox: { deletedSandboxId: string; dryRun: boolean } }>(
      { partner: FABRIKAM },
      'mutation ($id: ID!) { deleteSandbox(input: { sandboxId: $id, dryRun: true }) { deletedSandboxId dryRun } }',
      { id: theirs.sandbox.id },
    );
    expect(dry.data?.deleteSandbox).toEqual({ deletedSandboxId: theirs.sandbox.id, dryRun: true });
    expect(await traces(gw.collections, theirs.sandbox.partnerId)).toMatchObject({ partners: 1, clock: 1, sandboxes: 1 });
    await gql({ partner: FABRIKAM }, DELETE, { id: theirs.sandbox.id });
  });

  it('the purge (every SANDBOX_PURGE_INTERVAL_MS, and when a creation finds every place held) finishes a sandbox a crash left `deleting` and deletes expired ones', async () => {
    const crashed = await create({ name: 'Crashed mid-delete' });
    await gw.collections.customers.insertOne(
      aCustomer({ _id: guid('crashed-customer'), partnerId: crashed.sandbox.partnerId, companyName: 'Crashed Customer' }),
    );
    // As if deleteSandbox died after marking it: not listed any more, and the purge finishes it.
    await gw.collections.sandboxes.updateOne({ _id: crashed.sandbox.id }, { $set: { status: 'deleting' } });
    const expired = await create({ name: 'Expired' });
    await gw.collections.sandboxes.updateOne({ _id: expired.sandbox.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const list = await gql<{ sandboxes: { id: string }[] }>({ partner: CONTOSO }, LIST);
    expect(list.data?.sandboxes.map((s) => s.id)).not.toContain(crashed.sandbox.id);
    // As if createSandbox died after writing the partner: `creating` for longer than its grace.
    const halfMade = await create({ name: 'Crashed mid-create' });
    await gw.collections.sandboxes.updateOne(
      { _id: halfMade.sandbox.id },
      { $set: { status: 'creating', createdAt: new Date(Date.now() - CREATING_GRACE_MS - 1000) } },
    );

    const fresh = await create({ name: 'Fresh' });
    await expect.poll(() => traces(gw.collections, crashed.sandbox.partnerId), { timeout: 10_000 }).toEqual({});
    await expect.poll(() => traces(gw.collections, expired.sandbox.partnerId), { timeout: 10_000 }).toEqual({});
    await expect.poll(() => traces(gw.collections, halfMade.sandbox.partnerId), { timeout: 10_000 }).toEqual({});
    await gql({ partner: CONTOSO }, DELETE, { id: fresh.sandbox.id });
  });

  it('the gateway deletes an expired sandbox on its own, every SANDBOX_PURGE_INTERVAL_MS (FerretDB has no TTL index)', async () => {
    const { sandbox } = await create({ name: 'Expires alone', ttl: 'PT1H' });
    await gw.collections.sandboxes.updateOne({ _id: sandbox.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await gw.collections.sandboxes.countDocuments({ _id: sandbox.id })) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await traces(gw.collections, sandbox.partnerId)).toEqual({});
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import { CREATING_GRACE_MS, TENANT_COLLECTIONS } from '../../src/sandbox/sandbox.repository.js';
import type { SandboxWorlds } from '../../src/sandbox/templates.js';
import { CATALOG } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { sandboxWorlds } from '../../src/seed/sandbox-world.js';
import { generateWorld } from '../../src/seed/world.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { callAs, type SandboxCaller } from '../support/sandbox-calls.js';

/*
 * Sandbox templates (docs/sandboxes.md, "Templates") through GraphQL against a real gateway and
 * database: DEMO and GENERATED worlds, the sandbox partner's alone, deterministic per seed with IDs
 * of each sandbox's own, bad input, and a world that fails half-way leaving nothing. The gateway
 * has the catalog (as `npm start` seeds it) and no demo customers; SANDBOX_MAX_CUSTOMERS=50.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;

type Caller = SandboxCaller;

const gql = <T>(caller: Caller, query: string, variables: Record<string, unknown> = {}) => callAs<T>(gw.url, caller, query, variables);

interface SandboxAnswer {
  id: string;
  partnerId: string;
  template: string;
  seed: string | null;
  customerCount: number;
  clockStart: string;
}

const CREATE = `mutation ($input: CreateSandboxInput!) {
  createSandbox(input: $input) {
    sandbox { id partnerId template seed customerCount clockStart }
    tokens { token }
  }
}`;
const DELETE = `mutation ($id: ID!) { deleteSandbox(input: { sandboxId: $id }) { deletedSandboxId } }`;

async function create(input: Record<string, unknown>): Promise<{ sandbox: SandboxAnswer; token: string }> {
  const answer = await gql<{ createSandbox: { sandbox: SandboxAnswer; tokens: { token: string }[] } }>({ partner: CONTOSO }, CREATE, {
    input: { name: 'Templates', roles: ['ADMIN_AGENT'], ...input },
  });
  expect(answer.errors).toBeUndefined();
  const { sandbox, tokens } = answer.data!.createSandbox;
  return { sandbox, token: tokens[0]!.token };
}

async function remove(...sandboxes: { sandbox: SandboxAnswer }[]): Promise<void> {
  for (const { sandbox } of sandboxes) await gql({ partner: CONTOSO }, DELETE, { id: sandbox.id });
}

interface WorldCustomer {
  id: string;
  accountOpenedDate: string;
  companyProfile: { companyName: string; domain: string };
  subscriptions: {
    nodes: { id: string; offerId: string; quantity: number; status: string; creationDate: string; unitPrice: { amountInCents: number } }[];
  };
  ledger: { nodes: { id: string; at: string; amount: { amountInCents: number } }[] };
}

const WORLD = `{
  customers(first: 100) {
    totalCount
    nodes {
      id accountOpenedDate
      companyProfile { companyName domain }
      subscriptions(first: 10) { nodes { id offerId quantity status creationDate unitPrice { amountInCents } } }
      ledger(first: 50) { nodes { id at amount { amountInCents } } }
    }
  }
}`;

/** The sandbox's customers as its own token reads them, by domain (the order of IDs differs between sandboxes). */
async function world(token: string): Promise<{ totalCount: number; customers: WorldCustomer[] }> {
  const answer = await gql<{ customers: { totalCount: number; nodes: WorldCustomer[] } }>({ token }, WORLD);
  expect(answer.errors).toBeUndefined();
  const { totalCount, nodes } = answer.data!.customers;
  return { totalCount, customers: nodes.sort((a, b) => a.companyProfile.domain.localeCompare(b.companyProfile.domain)) };
}

/** What the same seed must give every sandbox: everything but the IDs. */
function values(customers: WorldCustomer[]) {
  return customers.map((c) => ({
    ...c.companyProfile,
    opened: c.accountOpenedDate,
    subscriptions: c.subscriptions.nodes
      .map(({ id: _id, ...rest }) => rest)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ledger: c.ledger.nodes.map((l) => [l.at, l.amount.amountInCents]).sort(),
  }));
}

function ids(customers: WorldCustomer[]): string[] {
  return customers.flatMap((c) => [c.id, ...c.subscriptions.nodes.map((s) => s.id), ...c.ledger.nodes.map((l) => l.id)]);
}

/** Every document in the database that names `partnerId`: the sandbox, partner, clock and tenant data. */
async function traces(cols: Collections, partnerId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {
    partners: await cols.partners.countDocuments({ _id: partnerId }),
    clock: await cols.clock.countDocuments({ _id: partnerId }),
    sandboxes: await cols.sandboxes.countDocuments({ partnerId }),
  };
  for (const name of TENANT_COLLECTIONS) counts[name] = await cols[name].countDocuments({ partnerId } as never);
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

// The seeder's worlds, made to fail after their first batch when a test asks (a world that cannot be written).
let failWorldAfterFirstBatch = false;
const generatedFor: string[] = [];
const worlds: SandboxWorlds = {
  demo: sandboxWorlds.demo,
  *generate(request) {
    generatedFor.push(request.partner._id);
    let batches = 0;
    for (const batch of sandboxWorlds.generate(request)) {
      if (failWorldAfterFirstBatch && batches++ === 1) throw new Error('simulated failure while generating a sandbox world');
      yield batch;
    }
  },
};

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(
    async (cols) => {
      await cols.offers.insertMany(CATALOG.map((o) => structuredClone(o)));
    },
    { env: { SANDBOX_MAX_CUSTOMERS: '50', PARTNER_CACHE_MS: '0', SANDBOX_PURGE_INTERVAL_MS: '1000' }, sandboxWorlds: worlds },
  );
});
afterAll(() => gw?.close());

describe('template DEMO', () => {
  it("gives the sandbox the demo world's 40 customers, dated from its clockStart, visible to its own token only (ROLE-TENANT)", async () => {
    const clockStart = '2026-03-01T00:00:00.000Z';
    const demo = await create({ template: 'DEMO', clockStart });
    const empty = await create({ template: 'EMPTY' });
    expect(demo.sandbox).toMatchObject({ template: 'DEMO', seed: 'demo', customerCount: 40, clockStart });
    expect(empty.sandbox).toMatchObject({ template: 'EMPTY', seed: null, customerCount: 0 });

    const { totalCount, customers } = await world(demo.token);
    expect(totalCount).toBe(40);
    // The demo world's companies, whatever the clock: the same seed and size as `npm start`'s.
    const expected = [...generateWorld({ customers: 40, seed: 'demo', now: new Date(clockStart) })].flatMap((b) =>
      b.collection === 'customers' ? b.docs.map((c) => c.companyName) : [],
    );
    expect(customers.map((c) => c.companyProfile.companyName).sort()).toEqual(expected.sort());
    const all = customers.flatMap((c) => [c.accountOpenedDate, ...c.subscriptions.nodes.map((s) => s.creationDate)]);
    expect(all.every((at) => at <= clockStart)).toBe(true);
    expect(customers.every((c) => c.subscriptions.nodes.length > 0)).toBe(true);

    // Nobody else sees them: another sandbox, nor the administrator's own partner.
    expect((await world(empty.token)).totalCount).toBe(0);
    const contoso = await gql<{ customers: { totalCount: number } }>(
      { partner: CONTOSO, roles: 'admin_agent' },
      '{ customers { totalCount } }',
    );
    expect(contoso.data?.customers.totalCount).toBe(0);
    const theirs = await gql({ partner: CONTOSO, roles: 'admin_agent' }, 'query ($id: ID!) { customer(id: $id) { id } }', {
      id: customers[0]!.id,
    });
    expect(theirs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const listed = await gql<{ sandboxes: SandboxAnswer[] }>({ partner: CONTOSO }, '{ sandboxes { id template seed customerCount } }');
    expect(listed.data?.sandboxes).toContainEqual({ id: demo.sandbox.id, template: 'DEMO', seed: 'demo', customerCount: 40 });
    await remove(demo, empty);
    await expect.poll(() => traces(gw.collections, demo.sandbox.partnerId), { timeout: 10_000 }).toEqual({});
  });
});

describe('template GENERATED', () => {
  it('gives `customers` customers from `seed`; another seed gives another world', async () => {
    const alpha = await create({ template: 'GENERATED', customers: 12, seed: 'alpha', clockStart: '2025-06-01T00:00:00Z' });
    const beta = await create({ template: 'GENERATED', customers: 12, seed: 'beta', clockStart: '2025-06-01T00:00:00Z' });
    expect(alpha.sandbox).toMatchObject({ template: 'GENERATED', seed: 'alpha', customerCount: 12 });
    const a = await world(alpha.token);
    const b = await world(beta.token);
    expect([a.totalCount, b.totalCount]).toEqual([12, 12]);
    expect(a.customers.map((c) => c.companyProfile.companyName)).not.toEqual(b.customers.map((c) => c.companyProfile.companyName));
    expect(values(a.customers)).not.toEqual(values(b.customers));
    await remove(alpha, beta);
  });

  // Each sandbox is a domain realm of its own (the unique index { domainLower, domainRealm }), so the
  // twins hold the same domains side by side.
  it('two sandboxes of one seed get the same names, domains, offers, quantities, dates and amounts, and no ID in common', async () => {
    const input = { template: 'GENERATED', customers: 30, seed: 'twins', clockStart: '2026-02-01T00:00:00Z' };
    const one = await create(input);
    const two = await create(input);
    const a = await world(one.token);
    const b = await world(two.token);
    expect(a.totalCount).toBe(30);
    expect(values(b.customers)).toEqual(values(a.customers));
    const idsOfA = new Set(ids(a.customers));
    expect(ids(b.customers).filter((id) => idsOfA.has(id))).toEqual([]);
    await remove(one, two);
  });
});

describe('bad input and failures leave nothing', () => {
  it('template, customers and seed out of range or with the wrong template are BAD_USER_INPUT naming the field, and create nothing', async () => {
    const before = { partners: await gw.collections.partners.countDocuments(), customers: await gw.collections.customers.countDocuments() };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ template: 'EMPTY', customers: 5 }, 'input.customers', 'for template GENERATED only'],
      [{ seed: 'x' }, 'input.seed', 'for template GENERATED only'],
      [{ template: 'DEMO', seed: 'demo' }, 'input.seed', 'template DEMO takes no seed'],
      [{ template: 'DEMO', customers: 40 }, 'input.customers', 'template DEMO takes no customers'],
      [
        { template: 'GENERATED', seed: 's' },
        'input.customers',
        'an integer from 1 to 50 (SANDBOX_MAX_CUSTOMERS) with template GENERATED, but got none',
      ],
      [{ template: 'GENERATED', seed: 's', customers: 0 }, 'input.customers', 'from 1 to 50'],
      [{ template: 'GENERATED', seed: 's', customers: 51 }, 'input.customers', 'but got 51'],
      [{ template: 'GENERATED', customers: 5 }, 'input.seed', 'a string of 1 to 64 characters with template GENERATED, but got none'],
      [{ template: 'GENERATED', customers: 5, seed: '' }, 'input.seed', 'but got 0 characters'],
      [{ template: 'GENERATED', customers: 5, seed: 's'.repeat(65) }, 'input.seed', 'but got 65 characters'],
    ];
    for (const [input, field, expected] of cases) {
      const answer = await gql({ partner: CONTOSO }, CREATE, { input: { name: 'Bad', ...input } });
      expect(answer.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(answer.errors?.[0]?.message, JSON.stringify(input)).toContain(expected);
    }
    const unknown = await gql({ partner: CONTOSO }, CREATE, { input: { name: 'Bad', template: 'HUGE' } });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.message).toContain('HUGE');
    expect(await gw.collections.sandboxes.countDocuments()).toBe(0);
    expect({
      partners: await gw.collections.partners.countDocuments(),
      customers: await gw.collections.customers.countDocuments(),
    }).toEqual(before);
  });

  it('a world that fails half-way is removed with its sandbox: an error, and no trace of it', async () => {
    generatedFor.length = 0;
    failWorldAfterFirstBatch = true;
    try {
      const answer = await gql({ partner: CONTOSO }, CREATE, {
        input: { name: 'Fails', template: 'GENERATED', customers: 20, seed: 'fails' },
      });
      expect(answer.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      failWorldAfterFirstBatch = false;
    }
    expect(generatedFor).toHaveLength(1);
    expect(await traces(gw.collections, generatedFor[0]!)).toEqual({});
    expect(await gw.collections.sandboxes.countDocuments()).toBe(0);
  });

  it('a creation that died while writing its world (left `creating`) is purged with its world once its grace has passed', async () => {
    const crashed = await create({ template: 'GENERATED', customers: 10, seed: 'crashed' });
    expect(await traces(gw.collections, crashed.sandbox.partnerId)).toMatchObject({ customers: 10 });
    // As if createSandbox died before marking it ready: `creating` for longer than its grace.
    await gw.collections.sandboxes.updateOne(
      { _id: crashed.sandbox.id },
      { $set: { status: 'creating', createdAt: new Date(Date.now() - CREATING_GRACE_MS - 1000) } },
    );
    const next = await create({ template: 'EMPTY' });
    await expect.poll(() => traces(gw.collections, crashed.sandbox.partnerId), { timeout: 10_000 }).toEqual({});
    await remove(next);
  });
});

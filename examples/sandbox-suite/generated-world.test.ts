import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, withSandbox, type Sandbox } from 'partner-center-gateway/testing';
import { gateway } from './gateway.js';

/*
 * A generated world (template GENERATED): the same seed and clock start give the same companies,
 * purchases and amounts in every sandbox, with IDs of each sandbox's own; a test finds its
 * customers by name or domain, never by an ID written into it. The second sandbox of the seed is
 * made after the first is deleted, as the next run of a suite would.
 */

const WORLD = { template: 'GENERATED', customers: 6, seed: 'example-suite-1', clockStart: '2026-03-01T00:00:00Z', ttl: 'PT1H' } as const;

interface World {
  customers: {
    totalCount: number;
    nodes: {
      id: string;
      companyProfile: { companyName: string; domain: string };
      subscriptions: { nodes: { id: string; offerName: string; quantity: number; status: string }[] };
    }[];
  };
}
const WORLD_QUERY = `query World($search: String) {
  customers(first: 50, filter: { search: $search }) {
    totalCount
    nodes { id companyProfile { companyName domain } subscriptions(first: 50) { nodes { id offerName quantity status } } }
  }
}`;

/** The world without its IDs, in domain order: what the seed decides. */
function shape(world: World) {
  return world.customers.nodes
    .map((c) => ({
      ...c.companyProfile,
      subscriptions: c.subscriptions.nodes.map((s) => `${s.offerName} x ${s.quantity} ${s.status}`).sort(),
    }))
    .sort((x, y) => x.domain.localeCompare(y.domain));
}

let first: World;
let sb: Sandbox;
beforeAll(async () => {
  first = await withSandbox({ ...gateway, ...WORLD, name: 'First run' }, (run) => run.request<World>(WORLD_QUERY));
  sb = await createSandbox({ ...gateway, ...WORLD, name: 'Second run' });
});
afterAll(() => sb?.delete());

describe('a generated world', () => {
  it('is what its seed makes: the same 6 companies, domains and purchases in the next run’s sandbox', async () => {
    expect(sb.info.customerCount).toBe(6);
    const again = await sb.request<World>(WORLD_QUERY);
    expect(again.customers.totalCount).toBe(6);
    expect(shape(again)).toEqual(shape(first));
    expect(again.customers.nodes.some((c) => c.subscriptions.nodes.length > 0)).toBe(true);
  });

  it('ROLE-TENANT: with IDs of each sandbox’s own, so a test finds a customer by its name', async () => {
    const again = await sb.request<World>(WORLD_QUERY);
    const before = new Set(first.customers.nodes.map((c) => c.id));
    expect(again.customers.nodes.filter((c) => before.has(c.id))).toEqual([]);

    const { companyName, domain } = first.customers.nodes[0]!.companyProfile;
    const found = await sb.request<World>(WORLD_QUERY, { search: companyName });
    expect(found.customers.nodes.map((c) => c.companyProfile.domain)).toContain(domain);
  });
});

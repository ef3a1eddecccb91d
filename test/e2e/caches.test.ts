import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandStartedEvent } from 'mongodb';
import type { PartnerDoc } from '../../src/db/documents.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { AUTH_FAILURE_MESSAGE } from '../../src/shared/auth.js';
import { createContext } from '../../src/app/context.js';
import { mintToken } from '../../src/shared/tokens.js';
import { anOffer, guid } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type TestGateway } from '../support/gateway.js';

/*
 * The per-process caches of docs/database.md, "How reads work": the caller's partner (PARTNER_CACHE_MS) and
 * the catalog (OFFER_CACHE_MS), and the per-request loaders created on first use.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const BASE = 'CFQ7TTC0CAC1:0001';
const OTHER = 'CFQ7TTC0CAC2:0001';
const LATE = 'CFQ7TTC0CAC3:0001';
const ADD_ON = 'CFQ7TTC0CAC4:0001';

function seedOffers(gwCols: Parameters<NonNullable<Parameters<typeof startTestGateway>[0]>>[0]) {
  return gwCols.offers
    .insertMany([
      anOffer({ _id: BASE, name: 'Base', eligibleAddOnIds: [ADD_ON] }),
      anOffer({ _id: OTHER, name: 'Other' }),
      anOffer({ _id: ADD_ON, name: 'Add-on', isAddOn: true }),
    ])
    .then(() => undefined);
}

/** `collection:command` of every command sent since `from`. */
function since(gw: TestGateway, from: number, collection?: string): string[] {
  return gw.commands
    .slice(from)
    .map(
      (e: CommandStartedEvent) =>
        `${String(e.commandName === 'getMore' ? e.command.collection : e.command[e.commandName])}:${e.commandName}`,
    )
    .filter((c) => collection === undefined || c.startsWith(`${collection}:`));
}

interface Body {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function run(gw: TestGateway, query: string, options?: CallOptions): Promise<{ status: number; body: Body }> {
  const response = await gw.post(JSON.stringify({ query }), options);
  return { status: response.status, body: JSON.parse(response.text) as Body };
}

const VIEWER = '{ viewer { partner { name } } }';

describe('partner cache (PARTNER_CACHE_MS)', () => {
  let gw: TestGateway;
  let token: string;
  beforeAll(async () => {
    gw = await startTestGateway(undefined, { env: { PARTNER_CACHE_MS: '3600000' } });
    token = await mintToken({ secret: gw.authSecret, partnerId: CONTOSO, roles: ['global_admin'] });
  });
  afterAll(() => gw?.close());

  it('N requests with one token read the partner once, concurrent ones included; the header scheme shares it', async () => {
    const from = gw.commands.length;
    const first = await Promise.all(Array.from({ length: 5 }, () => run(gw, VIEWER, { token })));
    for (let i = 0; i < 5; i += 1) first.push(await run(gw, VIEWER, { token }));
    first.push(await run(gw, VIEWER, { partner: CONTOSO }));
    for (const { status, body } of first) {
      expect(status).toBe(200);
      expect(body.data).toEqual({ viewer: { partner: { name: DEMO_PARTNERS.contoso.name } } });
    }
    expect(since(gw, from)).toEqual(['partners:find']);
  });

  it('an unknown partner is the same UNAUTHENTICATED every time and is not kept: once created, it works at once', async () => {
    const id = guid('caches-new-partner');
    const newToken = await mintToken({ secret: gw.authSecret, partnerId: id, roles: ['global_admin'] });
    const from = gw.commands.length;
    for (const options of [{ token: newToken }, { token: newToken }, { partner: id }]) {
      const { status, body } = await run(gw, VIEWER, options);
      expect(status).toBe(401);
      expect(body.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([[AUTH_FAILURE_MESSAGE, 'UNAUTHENTICATED']]);
    }
    // Each unknown lookup is a read (nothing negative is kept), as before the cache.
    expect(since(gw, from, 'partners')).toHaveLength(3);
    const partner: PartnerDoc = {
      _id: id,
      name: 'Caches New Partner',
      partnerType: 'direct_bill',
      mpnId: '4000001',
      indirectProviderId: null,
      createdAt: new Date('2020-01-01T00:00:00Z'),
    };
    await gw.collections.partners.insertOne(partner);
    const { status, body } = await run(gw, VIEWER, { token: newToken });
    expect(status).toBe(200);
    expect(body.data).toEqual({ viewer: { partner: { name: 'Caches New Partner' } } });
  });
});

describe('partner and catalog caches expire', () => {
  let gw: TestGateway;
  let token: string;
  beforeAll(async () => {
    gw = await startTestGateway(seedOffers, { env: { PARTNER_CACHE_MS: '300', OFFER_CACHE_MS: '300' } });
    token = await mintToken({ secret: gw.authSecret, partnerId: CONTOSO, roles: ['global_admin'] });
  });
  afterAll(() => gw?.close());

  it('after the TTL, the partner and the catalog are read again, and a changed document shows', async () => {
    const query = `{ viewer { partner { name } } offer(id: "${OTHER}") { name } }`;
    const from = gw.commands.length;
    expect((await run(gw, query, { token })).body.data).toMatchObject({ offer: { name: 'Other' } });
    expect(since(gw, from).sort()).toEqual(['offers:find', 'partners:find']);

    await gw.collections.partners.updateOne({ _id: CONTOSO }, { $set: { name: 'Contoso renamed' } });
    await gw.collections.offers.updateOne({ _id: OTHER }, { $set: { name: 'Other renamed' } });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const again = gw.commands.length;
    expect((await run(gw, query, { token })).body.data).toEqual({
      viewer: { partner: { name: 'Contoso renamed' } },
      offer: { name: 'Other renamed' },
    });
    expect(since(gw, again).sort()).toEqual(['offers:find', 'partners:find']);
  });
});

describe('catalog in memory (OFFER_CACHE_MS)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(seedOffers, { env: { OFFER_CACHE_MS: '3600000', PARTNER_CACHE_MS: '3600000' } });
  });
  afterAll(() => gw?.close());

  const CATALOG = `{
    offers(first: 10) { totalCount nodes { id } }
    offer(id: "${BASE}") { name eligibleAddOns { id name } }
  }`;

  it('is read once (one find, not charged to anyone), then serves offer(id), offers and references without a command', async () => {
    await run(gw, VIEWER); // the partner, out of the way
    const from = gw.commands.length;
    const first = await run(gw, CATALOG);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data).toEqual({
      offers: { totalCount: 2, nodes: [{ id: BASE }, { id: OTHER }] },
      offer: { name: 'Base', eligibleAddOns: [{ id: ADD_ON, name: 'Add-on' }] },
    });
    expect(since(gw, from)).toEqual(['offers:find']);
    const again = gw.commands.length;
    expect((await run(gw, CATALOG)).body).toEqual(first.body);
    expect(since(gw, again)).toEqual([]);
  });

  it('answers the database filters exactly: lists match any value, add-ons are left out, cursors page on', async () => {
    const page1 = await run(
      gw,
      '{ offers(first: 1, filter: { publisher: [MICROSOFT, ISV] }) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }',
    );
    const offers = page1.body.data!.offers as {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      nodes: { id: string }[];
    };
    expect(offers.totalCount).toBe(2);
    expect(offers.nodes).toEqual([{ id: BASE }]);
    expect(offers.pageInfo.hasNextPage).toBe(true);
    const page2 = await run(
      gw,
      `{ offers(first: 1, after: "${offers.pageInfo.endCursor}", filter: { publisher: [ISV, MICROSOFT] }) { pageInfo { hasNextPage hasPreviousPage } nodes { id } } }`,
    );
    expect(page2.body.data).toEqual({ offers: { pageInfo: { hasNextPage: false, hasPreviousPage: true }, nodes: [{ id: OTHER }] } });
    const none = await run(gw, '{ offers(filter: { segment: [GOVERNMENT] }) { totalCount nodes { id } } }');
    expect(none.body.data).toEqual({ offers: { totalCount: 0, nodes: [] } });
  });

  it('an unknown offer ID is NOT_FOUND and costs its one find each time (nothing negative is kept)', async () => {
    const unknown = 'CFQ7TTC0NONE:0001';
    for (let i = 0; i < 2; i += 1) {
      const from = gw.commands.length;
      const { body } = await run(gw, `{ offer(id: "${unknown}") { id } }`);
      expect(body.data).toEqual({ offer: null });
      expect(body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(since(gw, from)).toEqual(['offers:find']);
    }
  });

  it('an offer inserted after the catalog was read is found by ID at once, and the next use reads the catalog again', async () => {
    await gw.collections.offers.insertOne(anOffer({ _id: LATE, name: 'Late' }));
    const from = gw.commands.length;
    expect((await run(gw, `{ offer(id: "${LATE}") { name } }`)).body.data).toEqual({ offer: { name: 'Late' } });
    expect(since(gw, from)).toEqual(['offers:find']);
    const next = gw.commands.length;
    expect((await run(gw, '{ offers { totalCount nodes { id } } }')).body.data).toEqual({
      offers: { totalCount: 3, nodes: [{ id: BASE }, { id: OTHER }, { id: LATE }] },
    });
    expect(since(gw, next)).toEqual(['offers:find']);
    const after = gw.commands.length;
    await run(gw, `{ offer(id: "${LATE}") { name } }`);
    expect(since(gw, after)).toEqual([]);
  });

  it('a changed offer shows after the TTL or at once after catalog.refresh() (for tests and seeding)', async () => {
    await gw.collections.offers.updateOne({ _id: OTHER }, { $set: { name: 'Other v2' } });
    const query = `{ offer(id: "${OTHER}") { name } }`;
    expect((await run(gw, query)).body.data).toEqual({ offer: { name: 'Other' } });
    await gw.services.repositories.offers.catalog.refresh();
    expect((await run(gw, query)).body.data).toEqual({ offer: { name: 'Other v2' } });
  });
});

describe('per-request loaders are created on first use', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.close());

  it('a new context holds no loader until one is read, and then the same one on every read', async () => {
    const ctx = await createContext(gw.services, { 'x-partner-id': CONTOSO });
    // Every loader is a getter of the shared prototype until first read; then a value of this context's own.
    const names = Object.getOwnPropertyNames(Object.getPrototypeOf(ctx.loaders)).filter((name) => name !== 'constructor');
    expect(names).toContain('customerById');
    expect(names).toContain('offerById');
    const created = () => names.filter((name) => Object.hasOwn(ctx.loaders, name));
    expect(created()).toEqual([]);
    const loader = ctx.loaders.customerById;
    expect(ctx.loaders.customerById).toBe(loader);
    expect(created()).toEqual(['customerById']);
    // Another request gets its own.
    const other = await createContext(gw.services, { 'x-partner-id': CONTOSO });
    expect(other.loaders.customerById).not.toBe(loader);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import { ensureIndexes } from '../../src/db/collections.js';
import type { CustomerDoc } from '../../src/db/documents.js';
import { prefixRange } from '../../src/customer/customer.repository.js';
import { customerNameFields } from '../../src/policy/customer-keys.js';
import { CATALOG } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { aCustomer, guid } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * Customer search by prefix reads by equality on a precomputed token (CustomerDoc.searchPrefixes,
 * docs/database.md "Customer reads by equality"), which FerretDB on PostgreSQL pushes down. It must
 * find exactly what the former shape found (prefix ranges on the lower-cased name and domain),
 * in the same order, page by page through the same cursors; and the tokens must follow the name.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;

/** Awkward names: case, accents, spaces, punctuation, scripts, repeats, long shared prefixes. */
const BASES = [
  'Alpha',
  'alpha',
  'ÁLPHA',
  'Álpha Beta',
  'a',
  'A',
  'a b',
  'a  b',
  'ab',
  'Émile',
  'emile',
  'Zoë',
  'Zoe',
  'Ça va',
  'ça',
  'Straße',
  'STRASSE',
  'İstanbul',
  '日本 Trading',
  "O'Brien & Sons",
  '-',
  '.',
  '1st Choice',
  '10x',
  'Same Name',
  'Same Name',
  'Northwind Traders International Alpha',
  'Northwind Traders International Beta',
  'Northwind Traders Intern',
  'x',
];
const SUFFIXES = ['', ' Ltd', ' 2', ' GmbH', ' Inc.', '', ' (old)', ' Ünïcode', ' ', ' zz'];
const COUNT = 300;

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '') || 'x';
}

const CUSTOMERS: CustomerDoc[] = Array.from({ length: COUNT }, (_, i) => {
  const base = BASES[i % BASES.length]!;
  const companyName = base + SUFFIXES[Math.floor(i / BASES.length) % SUFFIXES.length]!;
  // Every third domain starts unlike its name, so that some customers match by domain only.
  const domain = i % 3 === 0 ? `zz-${slug(base)}-${i}.example.com` : `${slug(base)}${i}.Example.com`;
  return aCustomer({ _id: guid(`cs-${i}`), companyName, domain, partnerId: CONTOSO });
});

const SEARCHES = [
  'a',
  'A',
  'al',
  'ál',
  'álpha',
  'alpha ',
  'a b',
  'a  b',
  'é',
  'e',
  'zo',
  'zoë',
  'ça',
  'c',
  'straß',
  'strasse',
  'i̇',
  'i',
  '日',
  "o'b",
  '-',
  '.',
  '1',
  '10',
  'same name',
  'zz',
  'zz-',
  'northwind traders int',
  'northwind traders intern',
  'northwind traders international b',
  'NORTHWIND TRADERS INTERNATIONAL ALPHA LTD',
  'x',
  'example',
  'nomatch',
  '  Alpha  ',
];

const PAGE = `query ($search: String!, $after: String) {
  customers(first: 7, after: $after, filter: { search: $search }) {
    totalCount
    nodes { id }
    pageInfo { hasNextPage endCursor }
  }
}`;

let gw: TestGateway;

async function graphql<R>(query: string, variables: Record<string, unknown>): Promise<R> {
  const res = await gw.post(JSON.stringify({ query, variables }), { roles: 'admin_agent' });
  const body = JSON.parse(res.text) as { data?: R; errors?: unknown };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data!;
}

interface PageAnswer {
  customers: { totalCount: number; nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Every customer a search finds, page by page through its cursors, and each page's totalCount. */
async function searchAll(search: string): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (;;) {
    const { customers }: PageAnswer = await graphql<PageAnswer>(PAGE, { search, after });
    ids.push(...customers.nodes.map((n) => n.id));
    totals.push(customers.totalCount);
    if (!customers.pageInfo.hasNextPage) return { ids, totals };
    after = customers.pageInfo.endCursor;
  }
}

/** What the former shape finds: prefix ranges on the lower-cased name and domain, in name order. */
async function formerShape(cols: Collections, search: string): Promise<string[]> {
  const q = search.trim().toLowerCase();
  const rows = await cols.customers
    .find({ partnerId: CONTOSO, $and: [{ $or: [{ companyNameLower: prefixRange(q) }, { domainLower: prefixRange(q) }] }] })
    .sort({ companyNameLower: 1, _id: 1 })
    .project<{ _id: string }>({ _id: 1 })
    .toArray();
  return rows.map((r) => r._id);
}

const nameSearch = `query ($search: String!) { customers(first: 50, filter: { search: $search }) { nodes { id companyProfile { companyName } } } }`;
async function namesFound(search: string): Promise<string[]> {
  const data = await graphql<{ customers: { nodes: { companyProfile: { companyName: string } }[] } }>(nameSearch, { search });
  return data.customers.nodes.map((n) => n.companyProfile.companyName);
}

beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
    await cols.customers.insertMany(CUSTOMERS);
  });
});
afterAll(() => gw?.close());

describe('customers(filter: { search }) by prefix tokens', () => {
  it.each(SEARCHES)(
    'search %j finds the customers the former prefix ranges found, in the same order, through the same cursors',
    async (search) => {
      const expected = await formerShape(gw.collections, search);
      const { ids, totals } = await searchAll(search);
      expect(ids).toEqual(expected);
      for (const total of totals) expect(total).toBe(expected.length);
    },
  );

  it('the searches above are not trivial: most match some customers, and none matches every one', async () => {
    const sizes = await Promise.all(SEARCHES.map((s) => formerShape(gw.collections, s).then((ids) => ids.length)));
    expect(sizes.filter((n) => n === 0).length).toBeLessThanOrEqual(3);
    expect(Math.max(...sizes)).toBeLessThan(COUNT);
  });

  it('the first page without a search, in name order, is every customer in the former order', async () => {
    const expected = (
      await gw.collections.customers
        .find({ partnerId: CONTOSO })
        .sort({ companyNameLower: 1, _id: 1 })
        .project<{ _id: string }>({ _id: 1 })
        .toArray()
    ).map((r) => r._id);
    const ids: string[] = [];
    let after: string | null = null;
    const query = `query ($after: String) { customers(first: 40, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`;
    for (;;) {
      const { customers }: PageAnswer = await graphql<PageAnswer>(query, { after });
      ids.push(...customers.nodes.map((n) => n.id));
      if (!customers.pageInfo.hasNextPage) break;
      after = customers.pageInfo.endCursor;
    }
    expect(ids).toEqual(expected);
  });

  it('a customer created through createCustomer is found by the prefixes of its name and of its domain', async () => {
    const created = await graphql<{ createCustomer: { customer: { id: string } | null; userErrors: unknown[] } }>(
      `
        mutation ($input: CreateCustomerInput!) {
          createCustomer(input: $input) {
            customer {
              id
            }
            userErrors {
              message
            }
          }
        }
      `,
      {
        input: {
          companyProfile: { companyName: '  Quillfeather Analytics ', domain: 'QFA-Tenant.onmicrosoft.com' },
          billingProfile: { defaultAddress: { country: 'US' } },
        },
      },
    );
    expect(created.createCustomer.userErrors).toEqual([]);
    expect(await namesFound('quillf')).toEqual(['Quillfeather Analytics']);
    expect(await namesFound('QFA-t')).toEqual(['Quillfeather Analytics']);
    expect(await namesFound('analytics')).toEqual([]);
  });

  it('a renamed customer, written with its derived fields, is found by its new prefix and not by its old one', async () => {
    const target = CUSTOMERS.find((c) => c.companyName === 'Zoë Ltd')!;
    expect(await namesFound('zoë l')).toEqual(['Zoë Ltd']);
    const companyName = 'Marigold Ventures';
    await gw.collections.customers.updateOne(
      { _id: target._id },
      { $set: { companyName, ...customerNameFields(companyName, target.domain) }, $inc: { version: 1 } },
    );
    expect(await namesFound('marigold v')).toEqual(['Marigold Ventures']);
    expect(await namesFound('zoë l')).toEqual([]);
    // Restored, for the other tests' expectations.
    await gw.collections.customers.updateOne(
      { _id: target._id },
      { $set: { companyName: target.companyName, ...customerNameFields(target.companyName, target.domain) } },
    );
  });

  it('ensureIndexes gives the customers of a database from before the tokens their tokens, once: a renamed customer is found by its new prefix only', async () => {
    const cols = gw.collections;
    const target = CUSTOMERS.find((c) => c.companyName === 'Émile Ltd')!;
    // A database from before: no tokens, no search index, and a name changed since it was written.
    await cols.customers.dropIndex('partner_search');
    await cols.customers.updateMany({}, { $unset: { searchPrefixes: '' } });
    await cols.customers.updateOne({ _id: target._id }, { $set: { companyName: 'Periwinkle Labs', companyNameLower: 'periwinkle labs' } });
    expect(await namesFound('periwinkle')).toEqual([]);

    await ensureIndexes(cols);
    expect((await cols.customers.listIndexes().toArray()).map((i) => i.name)).toContain('partner_search');
    expect(await namesFound('periwinkle')).toEqual(['Periwinkle Labs']);
    expect(await namesFound('émile l')).toEqual([]);
    const stored = await cols.customers.findOne({ _id: target._id });
    expect(stored?.searchPrefixes).toEqual(customerNameFields('Periwinkle Labs', target.domain).searchPrefixes);

    // Once: with the index present, a second run leaves the documents as they are.
    await cols.customers.updateOne({ _id: target._id }, { $set: { searchPrefixes: ['sentinel'] } });
    await ensureIndexes(cols);
    expect((await cols.customers.findOne({ _id: target._id }))?.searchPrefixes).toEqual(['sentinel']);
    await cols.customers.updateOne(
      { _id: target._id },
      { $set: { companyName: target.companyName, ...customerNameFields(target.companyName, target.domain) } },
    );
    for (const search of ['a', 'é', 'northwind traders int'])
      expect((await searchAll(search)).ids).toEqual(await formerShape(cols, search));
  }, 180_000);
});

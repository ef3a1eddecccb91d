/**
 * The query shapes the benchmark measures, the GraphQL each sends, and the IDs each needs from a
 * data set (picked the same way at every size, with indexed reads only).
 */
import type { Collections } from '../../src/db/collections.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';

export type ShapeName = 'trivial' | 'nested' | 'detail' | 'search' | 'ledger';

export interface Shape {
  name: ShapeName;
  title: string;
  /** Whether `first` applies (the list shapes); the detail and trivial queries have no page size. */
  paged: boolean;
  query: string;
}

export const PARTNER_ID = DEMO_PARTNERS.contoso.id;

export const SHAPES: Record<ShapeName, Shape> = {
  trivial: {
    name: 'trivial',
    title: 'viewer { partner { name } }',
    paged: false,
    query: 'query BenchTrivial { viewer { partner { name } } }',
  },
  nested: {
    name: 'nested',
    title: 'customers -> subscriptions -> addOns -> offer',
    paged: true,
    query: `query BenchNested($first: Int!) {
  customers(first: $first) {
    nodes {
      id
      companyProfile { companyName }
      subscriptions(first: 10) {
        nodes {
          id
          offerName
          addOns { id parentSubscriptionId offer { id name } }
        }
      }
    }
  }
}`,
  },
  detail: {
    name: 'detail',
    title: 'subscription(id) with allowedActions',
    paged: false,
    query: `query BenchDetail($id: ID!) {
  subscription(id: $id) {
    id
    offerName
    quantity
    status
    commitmentEndDate
    customer { id companyProfile { companyName } }
    allowedActions { action allowed code rule reason }
  }
}`,
  },
  search: {
    name: 'search',
    title: 'customers(filter: { search }) with totalCount',
    paged: true,
    query: `query BenchSearch($first: Int!, $search: String!) {
  customers(first: $first, filter: { search: $search }) {
    totalCount
    nodes { id companyProfile { companyName } }
  }
}`,
  },
  ledger: {
    name: 'ledger',
    title: "customer(id) { ledger } (a customer's ledger)",
    paged: true,
    query: `query BenchLedger($customerId: ID!, $first: Int!) {
  customer(id: $customerId) {
    id
    ledger(first: $first) {
      totalCount
      nodes { id kind amount { amountInCents } at sourceId }
    }
  }
}`,
  },
};

export const PAGE_SIZES = [1, 10, 100] as const;
/** The page size of the latency, growth and floor comparisons. */
export const DEFAULT_PAGE_SIZE = 10;
/** The customer search prefix: a word-list stem, so matches grow with the data set. */
export const SEARCH_PREFIX = 's';

export interface Targets {
  subscriptionId: string;
  customerId: string;
}

/** A Contoso base subscription with add-ons, and the Contoso customer with the longest ledger, among the first 50 customers by name. */
export async function pickTargets(cols: Collections): Promise<Targets> {
  const first = await cols.customers
    .find({ partnerId: PARTNER_ID }, { projection: { _id: 1 } })
    .sort({ companyNameLower: 1, _id: 1 })
    .limit(50)
    .toArray();
  const ids = first.map((c) => c._id);
  if (ids.length === 0) throw new Error('the data set has no Contoso customers');
  const subs = await cols.subscriptions
    .find({ partnerId: PARTNER_ID, customerId: { $in: ids } }, { projection: { _id: 1, parentSubscriptionId: 1, status: 1 } })
    .toArray();
  const parents = new Set(subs.filter((s) => s.parentSubscriptionId).map((s) => s.parentSubscriptionId!));
  const withAddOns = subs.find((s) => s.parentSubscriptionId === null && s.status === 'active' && parents.has(s._id));
  const anyBase = subs.find((s) => s.parentSubscriptionId === null);
  const subscription = withAddOns ?? anyBase;
  if (!subscription) throw new Error('the data set has no Contoso subscriptions among its first 50 customers');
  const ledger = await cols.ledger.find({ partnerId: PARTNER_ID, customerId: { $in: ids } }, { projection: { customerId: 1 } }).toArray();
  const perCustomer = new Map<string, number>();
  for (const e of ledger) perCustomer.set(e.customerId, (perCustomer.get(e.customerId) ?? 0) + 1);
  // The same work at every data-set size: a customer whose ledger just outgrows a page of
  // DEFAULT_PAGE_SIZE (so totalCount costs its count at every size), the fewest such entries
  // first; else the one with the most entries.
  const ranked = [...perCustomer].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  const customerId = ranked.find(([, n]) => n > DEFAULT_PAGE_SIZE)?.[0] ?? ranked.at(-1)?.[0] ?? ids[0]!;
  return { subscriptionId: subscription._id, customerId };
}

/** The variables of one request of `shape`. */
export function variablesFor(shape: ShapeName, first: number, targets: Targets): Record<string, unknown> {
  switch (shape) {
    case 'trivial':
      return {};
    case 'nested':
      return { first };
    case 'detail':
      return { id: targets.subscriptionId };
    case 'search':
      return { first, search: SEARCH_PREFIX };
    case 'ledger':
      return { customerId: targets.customerId, first };
  }
}

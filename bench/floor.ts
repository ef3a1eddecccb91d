/**
 * The floor: what the benchmark's query shapes cost with no GraphQL, no Apollo, no Express, no
 * DataLoader. A bare `node:http` server that, per request, issues the same driver reads the
 * gateway's resolvers issue for that shape (same filters, sorts, limits, batching and order of
 * dependence; independent reads in parallel, as the gateway's loaders do) and answers the
 * documents as JSON. It authenticates the way the gateway's header scheme does (one partner
 * lookup by ID, from the bearer token's `pid` claim, decoded without verifying the signature)
 * and decides nothing: no policy (allowedActions), no cursors, no field resolution. It keeps what
 * the gateway keeps in memory, for as long (PARTNER_CACHE_MS, OFFER_CACHE_MS: partners 30 s, the
 * whole catalog 60 s), and like the gateway skips the count when the first page holds every match.
 *
 * bench/run.ts starts it as a child process (MONGODB_URI, MONGODB_DB) and compares the commands it
 * sends with the gateway's, per shape, so the comparison says when the two read differently.
 * Requests: POST / with `{ shape, variables }`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MongoClient, type Collection, type Document, type Filter } from 'mongodb';
import { collections, type Collections } from '../src/db/collections.js';
import { ferretDbCapabilities, MONGODB_CAPABILITIES } from '../src/db/database.js';
import { EQUALITY_READ_CONCURRENCY, readPlanner, type ReadPlanner } from '../src/read/loader-utils.js';
import type { CustomerDoc, OfferDoc, PartnerDoc, SubscriptionDoc } from '../src/db/documents.js';
import { codePointPrefix, SEARCH_PREFIX_MAX } from '../src/policy/customer-keys.js';
import { ready, serveParent } from './lib/ipc.js';
import type { ShapeName } from './lib/shapes.js';

const CUSTOMER_SORT = { companyNameLower: 1, _id: 1 } as const;
const SUBSCRIPTION_SORT = { creationDate: 1, _id: 1 } as const;
const LEDGER_SORT = { at: 1, _id: 1 } as const;

type Vars = Record<string, unknown>;

/** The partner named by the bearer token's `pid` claim (decoded, not verified: the floor trusts its caller). */
function partnerIdOf(req: http.IncomingMessage): string | null {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return null;
  try {
    return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { pid?: string }).pid ?? null;
  } catch {
    return null;
  }
}

function prefixRange(prefix: string) {
  return { $gte: prefix, $lt: `${prefix}\uffff` };
}

/**
 * Cursor batches as the gateway asks for them (src/shared/paged-find.ts, src/read/loader-utils.ts): a
 * page's first batch holds it whole (limit + 1), a by-ID read one more than its keys, an unbounded
 * `$in` read everything, so that no read needs a getMore or a killCursors.
 */
const ALL = 100_000;
const PARTNER_TTL_MS = Number(process.env.PARTNER_CACHE_MS ?? 30_000);
const OFFER_TTL_MS = Number(process.env.OFFER_CACHE_MS ?? 60_000);
const partnerCache = new Map<string, { doc: Promise<PartnerDoc | null>; expires: number }>();
let catalog: { byId: Promise<Map<string, OfferDoc>>; expires: number } | null = null;

function partnerOf(cols: Collections, partnerId: string): Promise<PartnerDoc | null> {
  if (PARTNER_TTL_MS <= 0) return cols.partners.findOne({ _id: partnerId });
  const hit = partnerCache.get(partnerId);
  if (hit && hit.expires > Date.now()) return hit.doc;
  const doc = cols.partners.findOne({ _id: partnerId });
  partnerCache.set(partnerId, { doc, expires: Date.now() + PARTNER_TTL_MS });
  return doc;
}

async function offersById(cols: Collections, ids: string[]): Promise<Map<string, OfferDoc>> {
  if (ids.length === 0) return new Map();
  if (OFFER_TTL_MS <= 0) return new Map((await cols.offers.find({ _id: { $in: ids } }).toArray()).map((o) => [o._id, o]));
  if (!catalog || catalog.expires <= Date.now()) {
    const byId = cols.offers
      .find({})
      .batchSize(ALL)
      .toArray()
      .then((all) => new Map(all.map((o) => [o._id, o])));
    catalog = { byId, expires: Date.now() + OFFER_TTL_MS };
  }
  return catalog.byId;
}

/**
 * The documents of `keys` on `field`, in the batch shape the gateway's loaders use on this backend
 * (docs/database.md, "FerretDB on PostgreSQL"): one `$in`, or (FerretDB on PostgreSQL) one equality read per key, at
 * most EQUALITY_READ_CONCURRENCY in flight; a single key is one equality read.
 */
async function byKeys<T extends Document>({
  col,
  filter,
  field,
  keys,
  batchSize,
  sort,
}: {
  col: Collection<T>;
  filter: Filter<T>;
  field: string;
  keys: string[];
  batchSize: (keys: number) => number;
  sort?: Document;
}): Promise<T[]> {
  const read = (where: Filter<T>, n: number) => {
    const cursor = col.find(where);
    return (sort ? cursor.sort(sort) : cursor).batchSize(batchSize(n)).toArray() as Promise<T[]>;
  };
  if (keys.length === 1) return read({ ...filter, [field]: keys[0] }, 1);
  if (planner.shape(col.collectionName, field) === 'in') return read({ ...filter, [field]: { $in: keys } }, keys.length);
  const out: T[][] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < keys.length; i = next++) out[i] = await read({ ...filter, [field]: keys[i] }, 1);
  };
  await Promise.all(Array.from({ length: Math.min(EQUALITY_READ_CONCURRENCY, keys.length) }, worker));
  return out.flat();
}

const byIdBatch = (keys: number) => keys + 1;
const allBatch = () => ALL;

/** The count, unless the first page already holds every match (fewer rows than asked for). */
async function countUnlessComplete<T extends Document>(
  col: Collection<T>,
  where: Filter<T>,
  rows: unknown[],
  first: number,
): Promise<number> {
  return rows.length <= first ? rows.length : col.countDocuments(where);
}

async function answer(cols: Collections, partnerId: string, shape: ShapeName, v: Vars): Promise<unknown> {
  const partner = await partnerOf(cols, partnerId);
  if (!partner) throw new Error('unknown partner');
  switch (shape) {
    case 'trivial':
      return { viewer: { partner: { name: partner.name } } };
    case 'nested': {
      const first = Number(v.first);
      const customers = (
        await cols.customers
          .find({ partnerId })
          .sort(CUSTOMER_SORT)
          .limit(first + 1)
          .batchSize(first + 2)
          .toArray()
      ).slice(0, first);
      if (customers.length === 0) return { customers: [] };
      const bases = await byKeys({
        col: cols.subscriptions,
        filter: { partnerId, parentSubscriptionId: null },
        field: 'customerId',
        keys: customers.map((c) => c._id),
        batchSize: allBatch,
        sort: SUBSCRIPTION_SORT,
      });
      const byCustomer = groupBy(bases, 'customerId');
      const shown = customers.flatMap((c) => (byCustomer.get(c._id) ?? []).slice(0, 10));
      const addOns = shown.length
        ? await byKeys({
            col: cols.subscriptions,
            filter: { partnerId },
            field: 'parentSubscriptionId',
            keys: shown.map((s) => s._id),
            batchSize: allBatch,
            sort: SUBSCRIPTION_SORT,
          })
        : [];
      const offerById = await offersById(cols, [...new Set(addOns.map((a) => a.offerId))]);
      const addOnsByParent = groupBy(addOns, 'parentSubscriptionId');
      return {
        customers: customers.map((c) => ({
          id: c._id,
          companyName: c.companyName,
          subscriptions: (byCustomer.get(c._id) ?? []).slice(0, 10).map((s) => ({
            id: s._id,
            offerName: s.offerName,
            addOns: (addOnsByParent.get(s._id) ?? []).map((a) => ({
              id: a._id,
              parentSubscriptionId: a.parentSubscriptionId,
              offer: { id: a.offerId, name: offerById.get(a.offerId)?.name ?? null },
            })),
          })),
        })),
      };
    }
    case 'detail': {
      const [sub] = await byKeys({
        col: cols.subscriptions,
        filter: { partnerId },
        field: '_id',
        keys: [String(v.id)],
        batchSize: byIdBatch,
      });
      if (!sub) return { subscription: null };
      const [clock, customers, offers] = await Promise.all([
        cols.clock.findOne({ _id: partnerId }),
        byKeys({ col: cols.customers, filter: { partnerId }, field: '_id', keys: [sub.customerId], batchSize: byIdBatch }),
        offersById(cols, [sub.offerId]),
      ]);
      return { subscription: sub, now: clock?.now ?? null, customer: customers[0] ?? null, offer: offers.get(sub.offerId) ?? null };
    }
    case 'search': {
      const first = Number(v.first);
      const q = String(v.search).trim().toLowerCase();
      // As the gateway (customerSearchFilter): an equality on the search's token, plus the ranges
      // of a search longer than the tokens (docs/database.md, "Customer reads by equality").
      const token = codePointPrefix(q, SEARCH_PREFIX_MAX);
      const where =
        token === q
          ? { partnerId, searchPrefixes: q }
          : { partnerId, searchPrefixes: token, $and: [{ $or: [{ companyNameLower: prefixRange(q) }, { domainLower: prefixRange(q) }] }] };
      // As the gateway: the page, then (totalCount selected) the count.
      const rows = await cols.customers
        .find(where)
        .sort(CUSTOMER_SORT)
        .limit(first + 1)
        .batchSize(first + 2)
        .toArray();
      const totalCount = await countUnlessComplete(cols.customers, where as Filter<CustomerDoc>, rows, first);
      return { customers: { totalCount, nodes: rows.slice(0, first).map((c) => ({ id: c._id, companyName: c.companyName })) } };
    }
    case 'ledger': {
      const first = Number(v.first);
      const customerId = String(v.customerId);
      const [customer] = await byKeys({
        col: cols.customers,
        filter: { partnerId },
        field: '_id',
        keys: [customerId],
        batchSize: byIdBatch,
      });
      if (!customer) return { customer: null };
      const where = { partnerId, customerId };
      const rows = await cols.ledger
        .find(where)
        .sort(LEDGER_SORT)
        .limit(first + 1)
        .batchSize(first + 2)
        .toArray();
      const totalCount = await countUnlessComplete(cols.ledger, where, rows, first);
      return { customer: { id: customer._id, ledger: { totalCount, nodes: rows.slice(0, first) } } };
    }
  }
}

function groupBy<K extends keyof SubscriptionDoc>(rows: SubscriptionDoc[], key: K): Map<string, SubscriptionDoc[]> {
  const out = new Map<string, SubscriptionDoc[]>();
  for (const row of rows) {
    const k = row[key] as string;
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('bench/floor.ts needs MONGODB_URI (and MONGODB_DB)');
const client = new MongoClient(uri, { monitorCommands: true });
await client.connect();
const db = client.db(process.env.MONGODB_DB ?? 'partner_center');
const cols = collections(db);
// What the gateway's openDatabase decides for the same server (src/db/database.ts).
const info = await db.admin().command({ buildInfo: 1 });
const planner: ReadPlanner = readPlanner(info.ferretdbVersion ? await ferretDbCapabilities(db) : MONGODB_CAPABILITIES);
serveParent(client);

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const partnerId = partnerIdOf(req);
    if (!partnerId) return send(401, { errors: [{ message: 'no bearer token' }] });
    let request: { shape: ShapeName; variables?: Vars };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
    } catch {
      return send(400, { errors: [{ message: 'bad JSON' }] });
    }
    answer(cols, partnerId, request.shape, request.variables ?? {}).then(
      (data) => send(200, { data }),
      (error: unknown) => send(500, { errors: [{ message: error instanceof Error ? error.message : String(error) }] }),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  ready(`http://127.0.0.1:${port}`);
});
process.once('SIGTERM', () => {
  server.close();
  void client.close().finally(() => process.exit(0));
});

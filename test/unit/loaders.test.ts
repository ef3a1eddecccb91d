import type { CommandStartedEvent, Filter } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CustomerDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { ClientError } from '../../src/shared/errors.js';
import { FERRETDB_CAPABILITIES, MONGODB_CAPABILITIES } from '../../src/db/database.js';
import { budgetedCollections, CommandBudget } from '../../src/limits/command-budget.js';
import {
  byIdLoader,
  childrenLoader,
  EQUALITY_READ_CONCURRENCY,
  filteredChildrenLoader,
  readPlanner,
  type ReadPlanner,
} from '../../src/read/loader-utils.js';
import { fingerprint } from '../../src/shared/pagination.js';
import { aCustomer, aSubscription, guid, T0 } from '../support/fixtures.js';
import { openTestDb, type TestDb } from '../support/db.js';

/*
 * The DataLoader factories against the run's database, with command monitoring: each batch must be
 * one `find`, results in key order, a missing key an Error for that key only, scope applied.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const FABRIKAM = DEMO_PARTNERS.fabrikam.id;
const SORT = ['creationDate', '_id'] as const;
const OFFER = 'CFQ7TTC0LH18:0001';

const C = [0, 1, 2].map((i) => guid(`ld-customer-${i}`));
const FOREIGN = guid('ld-foreign-customer');
const UNKNOWN = guid('ld-unknown-customer');
/** 50 parents for the batching test. */
const PARENTS = Array.from({ length: 50 }, (_, i) => guid(`ld-parent-${i}`));
const minute = (m: number) => new Date(T0.getTime() + m * 60_000);

let db: TestDb;
const commands: CommandStartedEvent[] = [];
const finds = () => commands.filter((e) => e.commandName === 'find');

beforeAll(async () => {
  db = await openTestDb('ld', { monitorCommands: true });
  const customers: CustomerDoc[] = [
    ...C.map((_id, i) => aCustomer({ _id, companyName: `Loader ${i}` })),
    aCustomer({ _id: FOREIGN, companyName: 'Foreign', partnerId: FABRIKAM }),
  ];
  const subscriptions: SubscriptionDoc[] = [];
  // Inserted newest first, so that a correct order proves sorting, not insertion order.
  PARENTS.forEach((customerId, p) => {
    for (const [m, status] of [
      [3, 'suspended'],
      [2, 'active'],
      [1, 'active'],
    ] as const) {
      subscriptions.push(aSubscription({ _id: guid(`ld-sub-${p}-${m}`), customerId, offerId: OFFER, creationDate: minute(m), status }));
    }
  });
  // Two subscriptions with one creation date: _id breaks the tie.
  subscriptions.push(
    aSubscription({ _id: 'ffffffff-0000-4000-8000-000000000000', customerId: C[0]!, offerId: OFFER, creationDate: minute(5) }),
  );
  subscriptions.push(
    aSubscription({ _id: '00000000-0000-4000-8000-000000000000', customerId: C[0]!, offerId: OFFER, creationDate: minute(5) }),
  );
  // Another partner's subscription on C[0]: scope must hide it.
  subscriptions.push(
    aSubscription({ _id: guid('ld-foreign-sub'), customerId: C[0]!, offerId: OFFER, creationDate: minute(4), partnerId: FABRIKAM }),
  );
  // An add-on of one of C[0]'s subscriptions.
  subscriptions.push(
    aSubscription({
      _id: guid('ld-addon'),
      customerId: C[0]!,
      offerId: OFFER,
      creationDate: minute(6),
      parentSubscriptionId: 'ffffffff-0000-4000-8000-000000000000',
    }),
  );
  await db.collections.customers.insertMany(customers);
  await db.collections.subscriptions.insertMany(subscriptions);
  db.client.on('commandStarted', (event) => commands.push(event));
});
afterAll(() => db?.close());
beforeEach(() => {
  commands.length = 0;
});

describe('byIdLoader', () => {
  it('byIdLoader returns results in key order with one find per batch', async () => {
    const loader = byIdLoader(db.collections.customers, { partnerId: CONTOSO }, 'customer');
    const keys = [C[2]!, C[0]!, C[1]!];
    const rows = await Promise.all(keys.map((id) => loader.load(id)));
    expect(rows.map((r) => r._id)).toEqual(keys);
    expect(rows.map((r) => r.companyName)).toEqual(['Loader 2', 'Loader 0', 'Loader 1']);
    expect(finds()).toHaveLength(1);
    expect(finds()[0]!.command.find).toBe('customers');
    expect(finds()[0]!.command.filter).toEqual({ partnerId: CONTOSO, _id: { $in: keys } });
  });

  it('a missing key yields a NOT_FOUND Error for that key only; the other keys resolve', async () => {
    const loader = byIdLoader(db.collections.customers, { partnerId: CONTOSO }, 'customer');
    const results = await loader.loadMany([C[1]!, UNKNOWN, C[0]!]);
    expect(finds()).toHaveLength(1);
    expect((results[0] as CustomerDoc)._id).toBe(C[1]);
    expect((results[2] as CustomerDoc)._id).toBe(C[0]);
    const missing = results[1];
    expect(missing).toBeInstanceOf(ClientError);
    expect((missing as ClientError).message).toBe(`No customer with ID '${UNKNOWN}' exists for this partner`);
    expect((missing as ClientError).extensions).toEqual({ code: 'NOT_FOUND', kind: 'customer', id: UNKNOWN });
    await expect(loader.load(UNKNOWN)).rejects.toBe(missing);
  });

  it("scope (partnerId) hides another partner's document exactly like a missing one", async () => {
    const loader = byIdLoader(db.collections.customers, { partnerId: CONTOSO }, 'customer');
    const [foreign, unknown, own] = await loader.loadMany([FOREIGN, UNKNOWN, C[0]!]);
    expect(finds()).toHaveLength(1);
    expect((own as CustomerDoc)._id).toBe(C[0]);
    expect((foreign as ClientError).extensions).toEqual({ code: 'NOT_FOUND', kind: 'customer', id: FOREIGN });
    expect((foreign as ClientError).message.replace(FOREIGN, '<ID>')).toBe((unknown as ClientError).message.replace(UNKNOWN, '<ID>'));
    // Another partner's loader sees it.
    const theirs = byIdLoader(db.collections.customers, { partnerId: FABRIKAM }, 'customer');
    expect((await theirs.load(FOREIGN)).companyName).toBe('Foreign');
  });

  it('a repeated key is fetched once and cached for the next batch', async () => {
    const loader = byIdLoader(db.collections.customers, { partnerId: CONTOSO }, 'customer');
    const [a, b] = await Promise.all([loader.load(C[0]!), loader.load(C[0]!)]);
    expect(a).toBe(b);
    // A batch of one key is an equality read, on every backend.
    expect(finds()[0]!.command.filter).toEqual({ partnerId: CONTOSO, _id: C[0] });
    await loader.load(C[0]!);
    expect(finds()).toHaveLength(1);
  });
});

describe('childrenLoader', () => {
  it('childrenLoader groups scoped children by parent in key order, sorted, with [] for a childless parent, in one find', async () => {
    const loader = childrenLoader({
      collection: db.collections.subscriptions,
      scope: { partnerId: CONTOSO, parentSubscriptionId: null },
      parentField: 'customerId',
      sort: SORT,
    });
    const [first, none, second] = await Promise.all([loader.load(PARENTS[1]!), loader.load(C[2]!), loader.load(PARENTS[0]!)]);
    expect(finds()).toHaveLength(1);
    expect(first!.map((s) => s._id)).toEqual([1, 2, 3].map((m) => guid(`ld-sub-1-${m}`)));
    expect(second!.map((s) => s._id)).toEqual([1, 2, 3].map((m) => guid(`ld-sub-0-${m}`)));
    expect(none).toEqual([]);
  });
});

describe('filteredChildrenLoader', () => {
  const active: Filter<SubscriptionDoc> = { status: { $in: ['active'] } };

  it('filteredChildrenLoader: two filters for the same parents cost two commands, each applying its filter', async () => {
    const loader = filteredChildrenLoader({
      collection: db.collections.subscriptions,
      scope: { partnerId: CONTOSO, parentSubscriptionId: null },
      parentField: 'customerId',
      sort: SORT,
    });
    const fpAll = fingerprint(null);
    const fpActive = fingerprint({ status: ['active'] });
    const [all0, all1, active0, active1] = await Promise.all([
      loader.load(PARENTS[0]!, {}, fpAll),
      loader.load(PARENTS[1]!, {}, fpAll),
      loader.load(PARENTS[0]!, active, fpActive),
      loader.load(PARENTS[1]!, active, fpActive),
    ]);
    expect(finds()).toHaveLength(2);
    expect(finds().map((e) => e.command.filter)).toEqual(
      expect.arrayContaining([
        { partnerId: CONTOSO, parentSubscriptionId: null, customerId: { $in: [PARENTS[0], PARENTS[1]] } },
        { status: { $in: ['active'] }, partnerId: CONTOSO, parentSubscriptionId: null, customerId: { $in: [PARENTS[0], PARENTS[1]] } },
      ]),
    );
    expect(all0!.map((s) => s._id)).toEqual([1, 2, 3].map((m) => guid(`ld-sub-0-${m}`)));
    expect(all1!.map((s) => s._id)).toEqual([1, 2, 3].map((m) => guid(`ld-sub-1-${m}`)));
    expect(active0!.map((s) => s._id)).toEqual([1, 2].map((m) => guid(`ld-sub-0-${m}`)));
    expect(active1!.map((s) => s._id)).toEqual([1, 2].map((m) => guid(`ld-sub-1-${m}`)));
  });

  it('filteredChildrenLoader: the same filter for 50 parents costs one command, and each parent gets its own children', async () => {
    const loader = filteredChildrenLoader({
      collection: db.collections.subscriptions,
      scope: { partnerId: CONTOSO, parentSubscriptionId: null },
      parentField: 'customerId',
      sort: SORT,
    });
    const fp = fingerprint({ status: ['active'] });
    const results = await Promise.all(PARENTS.map((id) => loader.load(id, active, fp)));
    expect(finds()).toHaveLength(1);
    expect(finds()[0]!.command.filter.customerId).toEqual({ $in: PARENTS });
    expect([...(finds()[0]!.command.sort as Map<string, number>)]).toEqual([
      ['creationDate', 1],
      ['_id', 1],
    ]);
    results.forEach((children, p) => {
      expect(children.map((s) => s._id)).toEqual([guid(`ld-sub-${p}-1`), guid(`ld-sub-${p}-2`)]);
    });
  });

  it("filteredChildrenLoader applies the scope: another partner's child and add-ons stay out; creation-date ties sort by _id", async () => {
    const loader = filteredChildrenLoader({
      collection: db.collections.subscriptions,
      scope: { partnerId: CONTOSO, parentSubscriptionId: null },
      parentField: 'customerId',
      sort: SORT,
    });
    const [children, unknown] = await Promise.all([loader.load(C[0]!, {}, ''), loader.load(UNKNOWN, {}, '')]);
    expect(finds()).toHaveLength(1);
    expect(children!.map((s) => s._id)).toEqual(['00000000-0000-4000-8000-000000000000', 'ffffffff-0000-4000-8000-000000000000']);
    expect(unknown).toEqual([]);
  });
});

describe('batch shapes per backend (docs/database.md, "Batch reads per backend")', () => {
  const EQUALITY: ReadPlanner = { shape: () => 'equality' };

  it('MongoDB and FerretDB on SQLite read a batch with one $in; FerretDB on PostgreSQL with equality reads on its indexed fields only', () => {
    const mongo = readPlanner(MONGODB_CAPABILITIES);
    const sqlite = readPlanner(FERRETDB_CAPABILITIES.sqlite);
    const postgres = readPlanner(FERRETDB_CAPABILITIES.postgresql);
    for (const [collection, field] of [
      ['subscriptions', 'customerId'],
      ['subscriptions', 'parentSubscriptionId'],
      ['customers', '_id'],
      ['refundCaps', '_id'],
    ] as const) {
      expect(mongo.shape(collection, field)).toBe('in');
      expect(sqlite.shape(collection, field)).toBe('in');
      expect(postgres.shape(collection, field)).toBe('equality');
    }
    // No GIN index on the field: one $in scan beats one scan per key.
    expect(postgres.shape('subscriptions', 'offerId')).toBe('in');
  });

  it('the equality shape sends one find per key, at most EQUALITY_READ_CONCURRENCY in flight, and answers as $in does', async () => {
    let inFlight = 0;
    let most = 0;
    const started = () => (most = Math.max(most, ++inFlight));
    const ended = () => inFlight--;
    db.client.on('commandStarted', started).on('commandSucceeded', ended).on('commandFailed', ended);
    try {
      const fp = fingerprint(null);
      const scope = { partnerId: CONTOSO, parentSubscriptionId: null };
      const byEquality = filteredChildrenLoader({
        collection: db.collections.subscriptions,
        scope,
        parentField: 'customerId',
        sort: SORT,
        planner: EQUALITY,
      });
      const results = await Promise.all(PARENTS.map((id) => byEquality.load(id, {}, fp)));
      expect(finds()).toHaveLength(PARENTS.length);
      // In completion order, not key order: each key exactly once.
      expect(
        finds()
          .map((e) => e.command.filter.customerId as string)
          .sort(),
      ).toEqual([...PARENTS].sort());
      expect(most).toBeLessThanOrEqual(EQUALITY_READ_CONCURRENCY);
      expect(most).toBeGreaterThan(1);

      commands.length = 0;
      const byIn = filteredChildrenLoader({ collection: db.collections.subscriptions, scope, parentField: 'customerId', sort: SORT });
      expect(await Promise.all(PARENTS.map((id) => byIn.load(id, {}, fp)))).toEqual(results);
      expect(finds()).toHaveLength(1);
    } finally {
      db.client.off('commandStarted', started).off('commandSucceeded', ended).off('commandFailed', ended);
    }
  });

  it('the equality shape keeps the loader contract: key order, NOT_FOUND for a missing or foreign key only', async () => {
    const loader = byIdLoader(db.collections.customers, { partnerId: CONTOSO }, 'customer', EQUALITY);
    const [two, foreign, unknown, zero] = await loader.loadMany([C[2]!, FOREIGN, UNKNOWN, C[0]!]);
    expect(finds()).toHaveLength(4);
    expect((two as CustomerDoc).companyName).toBe('Loader 2');
    expect((zero as CustomerDoc).companyName).toBe('Loader 0');
    expect((foreign as ClientError).extensions).toEqual({ code: 'NOT_FOUND', kind: 'customer', id: FOREIGN });
    expect((unknown as ClientError).extensions).toEqual({ code: 'NOT_FOUND', kind: 'customer', id: UNKNOWN });
  });

  it("a batch of equality reads is charged to the request's command budget once, as the $in it replaces", async () => {
    const budget = new CommandBudget(2);
    const cols = budgetedCollections(db.collections, budget);
    const loader = childrenLoader({
      collection: cols.subscriptions,
      scope: { partnerId: CONTOSO },
      parentField: 'customerId',
      sort: SORT,
      planner: EQUALITY,
    });
    await Promise.all(PARENTS.map((id) => loader.load(id)));
    expect(finds()).toHaveLength(PARENTS.length);
    expect(budget.used).toBe(1);
    expect(budget.exceeded).toBe(false);
  });
});

/**
 * The ROLE-* table of the spec (docs/rules.md, "Roles") and every entry of the AUTHORIZATION
 * table (src/shared/authorization.ts), through real GraphQL over HTTP: for each guarded query, field
 * and mutation, every caller of the known role set (PartnerRoleEnum, one role each, and no role)
 * is either let through (data or a business-rule userError, never FORBIDDEN) or refused with a
 * top-level FORBIDDEN naming the exact rule, with nothing written (a snapshot of the business
 * collections before and after). Allowed mutations are dry runs; refused ones are real writes
 * (dryRun false), so "nothing changed" means something. Each row also has real allowed writes.
 *
 * Mutations on a marketplace subscription (and a marketplace purchase, and confirmFulfillment,
 * which runs through the same subscription plan) check ROLE-SUBSCRIPTIONS first, then
 * ROLE-MARKETPLACE: a role missing from ROLE-SUBSCRIPTIONS is refused by that rule, a role that
 * has it but not ROLE-MARKETPLACE by ROLE-MARKETPLACE (`chain` below).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, isNonNullType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import type { PartnerRole } from '../../src/db/documents.js';
import { ROLE_RULES, type RoleRule } from '../../src/policy/roles.js';
import { CATALOG, OFFER_IDS as O } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { AUTHORIZATION, type Guarded } from '../../src/shared/authorization.js';
import { PartnerRoleEnum } from '../../src/shared/enums.js';
import { aCustomer, anOrder, aSubscription, guid } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { aReservation, AZURE_SUB } from '../support/reservations.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

interface Answer {
  status: number;
  text: string;
  data?: Obj | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Obj }[];
}

/** The known role set: every PartnerRole, one at a time; `null` is a caller with no role at all. */
const ROLES = Object.values(PartnerRoleEnum) as PartnerRole[];
const CALLERS: (PartnerRole | null)[] = [...ROLES, null];
const who = (role: PartnerRole | null) => role ?? '(no role)';

const C = guid('rt-customer');
const SANDBOX_PARTNER = guid('rt-sandbox-partner');
const MS_SUB = guid('rt-ms-sub');
const MS_ADDON = guid('rt-ms-addon');
const ISV_ADDON = guid('rt-isv-addon');
/** An order with a Microsoft line and a marketplace line (ROLE-MARKETPLACE leaves the second out). */
const MIXED_ORDER = '0000000a11ce';
const MIXED_ISV_SUB = guid('rt-mixed-isv-sub');
const RES_MAIN = guid('rt-reservation-main');
const RES_CANCEL = guid('rt-reservation-cancel');
const RES_UTIL = guid('rt-reservation-util');
const WINDOWS = 'Windows Server 2022 Datacenter';
const MIXED_LINE = {
  reservationId: null,
  quantity: 1,
  billingCycle: 'monthly',
  termDuration: 'P1M',
  transactionType: 'new',
  unitPriceCents: 7200,
  totalPriceCents: 7200,
} as const;
const LOG_RANGE = { from: '2026-10-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
const CONTACT = { name: 'Avery Howard', email: 'avery@contoso.com', phone: '+1 425 555 0100' };

/** Bought over HTTP in beforeAll: a marketplace subscription with its order, and two software orders. */
let ISV_SUB = '';
let ISV_ORDER = '';
let SW_ORDER = '';
let SW_ORDER_TO_CANCEL = '';

let gw: TestGateway;

async function call(query: string, variables: Obj, role: PartnerRole | null, partner?: string): Promise<Answer> {
  const r = await gw.post(JSON.stringify({ query, variables }), { ...(role ? { roles: role } : {}), ...(partner ? { partner } : {}) });
  return { status: r.status, text: r.text, ...(JSON.parse(r.text) as Omit<Answer, 'status' | 'text'>) };
}

/** The data of an answer that must have no error at all. */
function ok(r: Answer, what: string): Obj {
  expect(r.errors, `${what}: ${JSON.stringify(r.errors)}`).toBeUndefined();
  expect(r.status, what).toBe(200);
  return r.data!;
}

const asObj = (v: Json | undefined): Obj => {
  expect(v !== null && typeof v === 'object' && !Array.isArray(v), `expected an object, got ${JSON.stringify(v)}`).toBe(true);
  return v as Obj;
};

beforeAll(async () => {
  gw = await startTestGateway(
    async (cols) => {
      await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
      await cols.customers.insertOne(aCustomer({ _id: C, companyName: 'Role Table Customer' }));
      // A test sandbox's partner: createOffer is for sandboxes only (SANDBOX-OFFERS).
      await cols.partners.insertOne({
        _id: SANDBOX_PARTNER,
        name: 'Role Table Sandbox',
        partnerType: 'direct_bill',
        mpnId: `sandbox-${SANDBOX_PARTNER}`,
        indirectProviderId: null,
        createdAt: new Date('2026-11-01T00:00:00Z'),
        sandboxAdminId: DEMO_PARTNERS.contoso.id,
      });
      // Its sandbox, ready: the gate lets a sandbox's callers in only while it is (docs/sandboxes.md).
      await cols.sandboxes.insertOne({
        _id: `sandbox-of-${SANDBOX_PARTNER}`,
        name: 'Role Table Sandbox',
        partnerId: SANDBOX_PARTNER,
        partnerType: 'direct_bill',
        adminPartnerId: DEMO_PARTNERS.contoso.id,
        clockStart: new Date('2026-11-01T00:00:00Z'),
        template: 'empty',
        status: 'ready',
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      await cols.subscriptions.insertMany([
        aSubscription({ _id: MS_SUB, customerId: C, offerId: O.m365BusinessBasic, offerName: 'Microsoft 365 Business Basic' }),
        aSubscription({ _id: MS_ADDON, customerId: C, offerId: O.teamsPhoneStandard, parentSubscriptionId: MS_SUB, quantity: 2 }),
        aSubscription({
          _id: MIXED_ISV_SUB,
          customerId: C,
          offerId: O.litwareBackup,
          publisher: 'isv',
          commerceType: 'marketplace_saas',
          fulfilment: {
            status: 'fulfilled',
            activationLink: 'https://marketplace.example/backup/activate?token=mixed',
            authorizationCode: 'mixed',
          },
        }),
      ]);
      await cols.orders.insertOne(
        anOrder({
          _id: MIXED_ORDER,
          customerId: C,
          lineItems: [
            { ...MIXED_LINE, lineItemNumber: 0, offerId: O.m365BusinessBasic, subscriptionId: MS_SUB, friendlyName: 'Office' },
            { ...MIXED_LINE, lineItemNumber: 1, offerId: O.litwareBackup, subscriptionId: MIXED_ISV_SUB, friendlyName: 'Backup' },
          ],
          totalPriceCents: 14_400,
        }),
      );
      await cols.reservations.insertMany([
        aReservation({ _id: RES_MAIN, customerId: C }),
        aReservation({ _id: RES_CANCEL, customerId: C }),
        aReservation({ _id: RES_UTIL, customerId: C }),
      ]);
      // Hundreds of calls from one partner: no rate limit (not what this file is about).
    },
    { env: { RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_BURST: '1000000' } },
  );
  // A marketplace purchase (CAT-ISV-LINK: a pending subscription with a personalised link on its order line).
  const isv = ok(
    await call(
      PURCHASE_REAL,
      { input: { customerId: C, lineItems: [{ offerId: O.litwareBackup, quantity: 5, billingCycle: 'MONTHLY', termDuration: 'P1M' }] } },
      'admin_agent',
    ),
    'buying the marketplace subscription',
  );
  const bought = asObj(isv.purchase);
  expect(bought.userErrors).toEqual([]);
  ISV_SUB = asObj((bought.subscriptions as Json[])[0]).id as string;
  ISV_ORDER = asObj(bought.order).id as string;
  // An add-on of the marketplace subscription (ROLE-MARKETPLACE covers it as it covers its base).
  await gw.collections.subscriptions.insertOne(
    aSubscription({
      _id: ISV_ADDON,
      customerId: C,
      offerId: O.litwareBackupMetered,
      offerName: 'Litware Secure Backup - Pay as you go',
      publisher: 'isv',
      commerceType: 'marketplace_saas',
      parentSubscriptionId: ISV_SUB,
      quantity: 1,
    }),
  );
  const software = async () => {
    const r = ok(
      await call(SOFTWARE_REAL, { input: { customerId: C, offerId: O.windowsServer2022Datacenter } }, 'admin_agent'),
      'software',
    );
    const p = asObj(r.purchaseSoftware);
    expect(p.userErrors).toEqual([]);
    return asObj(p.softwareOrder).id as string;
  };
  SW_ORDER = await software();
  SW_ORDER_TO_CANCEL = await software();
});

afterAll(async () => {
  await gw?.close();
});

// ---------------------------------------------------------------------------------------------
// Database snapshots

/** Every collection a business change writes to (audit records are left out: refusals are audited). */
const WATCHED = [
  'customers',
  'subscriptions',
  'orders',
  'softwareOrders',
  'reservations',
  'carts',
  'supportRequests',
  'ledger',
  'clock',
  'softwareActivity',
  'refundCaps',
  'sandboxOffers',
  'operations',
  'locks',
  'idempotency',
] as const satisfies readonly (keyof Collections)[];

async function snapshot(): Promise<Record<string, unknown[]>> {
  const all = await Promise.all(
    WATCHED.map((name) =>
      (gw.collections[name] as unknown as { find(q: object): { sort(s: object): { toArray(): Promise<unknown[]> } } })
        .find({})
        .sort({ _id: 1 })
        .toArray(),
    ),
  );
  return Object.fromEntries(WATCHED.map((name, i) => [name, all[i]!]));
}

// ---------------------------------------------------------------------------------------------
// The operations and how each caller must be answered

interface Op {
  /** What is called, for failure messages. */
  label: string;
  query: string;
  variables: (allowed: boolean) => Obj;
  /** The top-level field of the answer. */
  field: string;
  /**
   * The rules checked, in order: a caller missing a role of one is FORBIDDEN by that rule. Default:
   * the AUTHORIZATION entry's rule alone; `[]` for a control that every caller may call.
   */
  chain?: readonly RoleRule[];
  /** A mutation whose input has dryRun: allowed callers quote (dryRun true), refused ones try for real. */
  dryRun?: boolean;
  /** An allowed quote must be clean: no userErrors at all. */
  clean?: boolean;
  /** Allowed calls write for real (advanceClock has no dry run). */
  writes?: boolean;
  /** The partner that calls (a test sandbox's, for createOffer); Contoso when absent. */
  partner?: string;
  /** More checks of an allowed answer. */
  allowed?: (data: Obj, role: PartnerRole | null) => void | Promise<void>;
  /** A read that leaves out instead of refusing: what a refused caller sees, with no error. */
  hidden?: (answer: Answer, role: PartnerRole | null) => void | Promise<void>;
}

const PURCHASE_REAL = `mutation RtPurchase($input: PurchaseInput!) {
  purchase(input: $input) { dryRun operationId userErrors { code rule message } subscriptions { id } order { id } }
}`;
const SOFTWARE_REAL = `mutation RtSoftware($input: PurchaseSoftwareInput!) {
  purchaseSoftware(input: $input) { dryRun operationId userErrors { code rule message } softwareOrder { id } }
}`;

/** A mutation `field(input: $input)` with the payload's common fields and `select`. */
function mutation(field: string, inputType: string, input: Obj, options: Partial<Op> & { select?: string } = {}): Op {
  const dryRun = options.dryRun ?? true;
  return {
    label: `${field}(${JSON.stringify(input)})`,
    query: `mutation Rt($input: ${inputType}!) { ${field}(input: $input) { dryRun operationId userErrors { code rule message } ${options.select ?? ''} } }`,
    variables: (allowed) => ({ input: dryRun ? { ...input, dryRun: allowed } : input }),
    field,
    dryRun,
    ...options,
  };
}

function read({
  label,
  field,
  query,
  variables,
  options = {},
}: {
  label: string;
  field: string;
  query: string;
  variables: Obj;
  options?: Partial<Op>;
}): Op {
  return { label, query, variables: () => variables, field, ...options };
}

/** The schema as printed (`npm run schema:check` keeps it equal to the code's). */
const SCHEMA = buildSchema(readFileSync(path.resolve(import.meta.dirname, '../../schema/schema.graphql'), 'utf8'));

/** Whether the operation's top-level field is nullable, so that an error nulls only that field. */
function isNullableRoot(op: Op): boolean {
  const root = op.query.trimStart().startsWith('mutation') ? SCHEMA.getMutationType() : SCHEMA.getQueryType();
  const field = root?.getFields()[op.field];
  expect(field, `${op.label}: ${op.field} is a top-level field`).toBeDefined();
  return !isNonNullType(field!.type);
}

/** The rule that refuses `role` for `chain`, or null when every rule of the chain lets it through. */
function refusingRule(chain: readonly RoleRule[], role: PartnerRole | null): RoleRule | null {
  return chain.find((rule) => role === null || !(ROLE_RULES[rule] as readonly PartnerRole[]).includes(role)) ?? null;
}

/**
 * Calls `op` as every caller: first the refused ones (for real), checking the exact FORBIDDEN and
 * that nothing was written; then the allowed ones, checking they get through, and that their dry
 * runs wrote nothing either.
 */
async function checkOp(key: Guarded, op: Op): Promise<void> {
  const chain = op.chain ?? [AUTHORIZATION[key].rule];
  if (chain.length > 0) expect(chain.at(-1), `${op.label}: the chain ends with the entry's rule`).toBe(AUTHORIZATION[key].rule);
  const refused = CALLERS.filter((r) => refusingRule(chain, r) !== null);
  const allowed = CALLERS.filter((r) => refusingRule(chain, r) === null);
  if (chain.length > 0) {
    expect(allowed, `${op.label}: the roles let through`).toEqual(
      ROLES.filter((r) => chain.every((rule) => ROLE_RULES[rule].includes(r as never))),
    );
    expect(refused.length, `${op.label}: some role is refused`).toBeGreaterThan(0);
  }

  const before = await snapshot();
  for (const role of refused) {
    const what = `${op.label} as ${who(role)}`;
    const r = await call(op.query, op.variables(false), role, op.partner);
    if (op.hidden) {
      expect(r.errors, `${what}: ${JSON.stringify(r.errors)}`).toBeUndefined();
      await op.hidden(r, role);
    } else {
      expect(
        r.errors?.map((e) => e.extensions),
        what,
      ).toEqual([{ code: 'FORBIDDEN', rule: refusingRule(chain, role) }]);
      expect(r.errors![0]!.path, what).toEqual([op.field]);
      // The refused field is null: at its own field when the schema lets it be (a lookup: partial
      // results), or as the whole answer when it is non-null (a mutation, a connection).
      expect(r.data ?? null, what).toEqual(isNullableRoot(op) ? { [op.field]: null } : null);
    }
  }
  expect(await snapshot(), `${op.label}: refused callers changed nothing`).toEqual(before);

  for (const role of allowed) {
    const what = `${op.label} as ${who(role)}`;
    const data = ok(await call(op.query, op.variables(true), role, op.partner), what);
    const payload = asObj(data[op.field]);
    if ('userErrors' in payload) {
      // A business rule may refuse; a role never does (that would be FORBIDDEN, not a userError).
      const codes = (payload.userErrors as Obj[]).map((e) => e.code);
      expect(codes, what).not.toContain('ROLE_NOT_ALLOWED');
      if (op.clean) expect(payload.userErrors, what).toEqual([]);
    }
    if (op.dryRun) expect({ dryRun: payload.dryRun, operationId: payload.operationId }, what).toEqual({ dryRun: true, operationId: null });
    await op.allowed?.(data, role);
  }
  if (!op.writes) expect(await snapshot(), `${op.label}: allowed reads and dry runs changed nothing`).toEqual(before);
}

/** Every AUTHORIZATION key that has a test here; filled as the tests are declared. */
const TESTED = new Set<Guarded>();

/** Declares the test of one AUTHORIZATION entry; its title must start with the entry's rule ID. */
function roleTest(key: Guarded, title: string, ops: () => Op[]): void {
  const rule = AUTHORIZATION[key].rule;
  if (!title.startsWith(`${rule}: `)) throw new Error(`The test of ${key} must be titled '${rule}: ...', not '${title}'`);
  TESTED.add(key);
  it(`${title} [${key}]`, { timeout: 240_000 }, async () => {
    for (const op of ops()) await checkOp(key, op);
  });
}

const link = async (subscriptionId: string) =>
  (await gw.collections.subscriptions.findOne({ _id: subscriptionId }))!.fulfilment!.activationLink;

// ---------------------------------------------------------------------------------------------
// The table itself

describe('the ROLE-* table of the spec is the policy’s ROLE_RULES, and every AUTHORIZATION entry has a test here', () => {
  const specPath = path.resolve(import.meta.dirname, '../../docs/rules.md');

  it('ROLE-SUBSCRIPTIONS, ROLE-MARKETPLACE, ROLE-SOFTWARE, ROLE-SOFTWARE-KEYS, ROLE-SOFTWARE-CANCEL, ROLE-ACTIVITY-LOG, ROLE-RESERVATIONS: the roles of each row of rules.md are exactly ROLE_RULES', () => {
    expect(existsSync(specPath), specPath).toBe(true);
    const rows = new Map<string, PartnerRole[]>();
    for (const line of readFileSync(specPath, 'utf8').split('\n')) {
      const m = /^\|\s*(ROLE-[A-Z-]+)\s*\|[^|]*\|\s*([^|]*?)\s*\|\s*$/.exec(line);
      if (!m || m[1] === 'ROLE-TENANT') continue;
      const roles = m[2]!
        .replace(/\bonly\b/g, '')
        .split(',')
        .map((label) => label.trim().replace(/\s+/g, '_') as PartnerRole);
      rows.set(m[1]!, roles);
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(ROLE_RULES).sort());
    for (const [rule, roles] of rows) expect([...roles].sort(), rule).toEqual([...ROLE_RULES[rule as RoleRule]].sort());
  });

  it('every AUTHORIZATION key has a test in this file, and every ROLE-* row guards at least one of them', () => {
    expect([...TESTED].sort()).toEqual(Object.keys(AUTHORIZATION).sort());
    const rules = new Set(Object.values(AUTHORIZATION).map((g) => g.rule));
    expect([...rules].sort()).toEqual(Object.keys(ROLE_RULES).sort());
  });
});

// ---------------------------------------------------------------------------------------------
// Reads

const SUBSCRIPTION = `query RtSubscription($id: ID!) { subscription(id: $id) { id isMicrosoftProduct } }`;
const CONNECTIONS = `query RtConnections($id: ID!) {
  subscriptions(first: 100) { totalCount nodes { id isMicrosoftProduct } }
  customer(id: $id) { subscriptions(first: 100) { totalCount nodes { id isMicrosoftProduct } } }
}`;

describe('reads', () => {
  roleTest(
    'Subscription(publisher: isv)',
    'ROLE-MARKETPLACE: only a global admin or an admin agent reads a marketplace subscription; every other role gets FORBIDDEN, and the connections leave it out with counts to match',
    () => {
      const connections = (data: Obj) => [asObj(data.subscriptions), asObj(asObj(data.customer).subscriptions)];
      const counts = async () => ({
        all: await gw.collections.subscriptions.countDocuments({ customerId: C, parentSubscriptionId: null }),
        isv: await gw.collections.subscriptions.countDocuments({ customerId: C, parentSubscriptionId: null, publisher: 'isv' }),
      });
      return [
        read({
          label: 'subscription(id: <ISV>)',
          field: 'subscription',
          query: SUBSCRIPTION,
          variables: { id: ISV_SUB },
          options: {
            allowed: (data) => expect(data.subscription).toEqual({ id: ISV_SUB, isMicrosoftProduct: false }),
          },
        }),
        read({
          label: 'subscription(id: <Microsoft>)',
          field: 'subscription',
          query: SUBSCRIPTION,
          variables: { id: MS_SUB },
          options: {
            chain: [],
            allowed: (data) => expect(data.subscription).toEqual({ id: MS_SUB, isMicrosoftProduct: true }),
          },
        }),
        read({
          label: 'subscriptions and customer.subscriptions',
          field: 'subscriptions',
          query: CONNECTIONS,
          variables: { id: C },
          options: {
            allowed: async (data) => {
              const n = await counts();
              expect(n.isv).toBeGreaterThan(0);
              for (const c of connections(data)) {
                expect(c.totalCount).toBe(n.all);
                expect((c.nodes as Obj[]).map((s) => s.id)).toContain(ISV_SUB);
              }
            },
            hidden: async (answer) => {
              const n = await counts();
              for (const c of connections(answer.data!)) {
                expect(c.totalCount).toBe(n.all - n.isv);
                expect(c.nodes as Obj[]).toHaveLength(n.all - n.isv);
                expect((c.nodes as Obj[]).filter((s) => s.isMicrosoftProduct !== true)).toEqual([]);
              }
              expect(answer.text).not.toContain(ISV_SUB);
            },
          },
        }),
      ];
    },
  );

  roleTest(
    'AddOn(publisher: isv)',
    'ROLE-MARKETPLACE: only a global admin or an admin agent reads an add-on of a marketplace subscription with addOn(id); every other role gets FORBIDDEN',
    () => {
      const ADDON = `query RtAddOn($id: ID!) { addOn(id: $id) { id isMicrosoftProduct parentSubscriptionId parentSubscription { id } } }`;
      return [
        read({
          label: 'addOn(id: <ISV add-on>)',
          field: 'addOn',
          query: ADDON,
          variables: { id: ISV_ADDON },
          options: {
            allowed: (data) =>
              expect(data.addOn).toEqual({
                id: ISV_ADDON,
                isMicrosoftProduct: false,
                parentSubscriptionId: ISV_SUB,
                parentSubscription: { id: ISV_SUB },
              }),
          },
        }),
        read({
          label: 'addOn(id: <Microsoft add-on>)',
          field: 'addOn',
          query: ADDON,
          variables: { id: MS_ADDON },
          options: {
            chain: [],
            allowed: (data) =>
              expect(data.addOn).toEqual({
                id: MS_ADDON,
                isMicrosoftProduct: true,
                parentSubscriptionId: MS_SUB,
                parentSubscription: { id: MS_SUB },
              }),
          },
        }),
      ];
    },
  );

  roleTest(
    'Subscription.activationLink',
    'ROLE-MARKETPLACE: only a global admin or an admin agent sees a subscription’s activation link; every other role gets FORBIDDEN on the subscription and finds the link nowhere',
    () => [
      read({
        label: 'subscription(id: <ISV>) { activationLink }',
        field: 'subscription',
        query: `query RtLink($id: ID!) { subscription(id: $id) { activationLink } }`,
        variables: { id: ISV_SUB },
        options: {
          allowed: async (data) => {
            const expected = await link(ISV_SUB);
            expect(expected).toMatch(/^https:\/\/marketplace\.example\/.+\/activate\?token=[\w-]+$/);
            expect(data.subscription).toEqual({ activationLink: expected });
          },
        },
      }),
      read(
        // order.lineItems.subscription: see "marketplace subscriptions reached through other fields".
        {
          label: 'subscriptions { activationLink }',
          field: 'subscriptions',
          query: `query RtLinks { subscriptions(first: 100) { nodes { id activationLink } } }`,
          variables: {},
          options: {
            allowed: async (data) => {
              const expected = await link(ISV_SUB);
              expect(asObj(data.subscriptions).nodes).toContainEqual({ id: ISV_SUB, activationLink: expected });
            },
            // However the subscription is reached, the link itself never reaches another role.
            hidden: async (answer) => expect(answer.text).not.toContain(await link(ISV_SUB)),
          },
        },
      ),
    ],
  );

  roleTest(
    'OrderLineItem.activationLink',
    'ROLE-MARKETPLACE: only a global admin or an admin agent sees an order line’s activation link; for every other role it is null',
    () => {
      const ORDER = `query RtOrderLink($order: ID!, $customer: ID!) {
        order(id: $order) { lineItems { subscriptionId activationLink } }
        customer(id: $customer) { orders(first: 100) { nodes { id lineItems { activationLink } } } }
      }`;
      return [
        read({
          label: 'order.lineItems.activationLink',
          field: 'order',
          query: ORDER,
          variables: { order: ISV_ORDER, customer: C },
          options: {
            allowed: async (data) => {
              const expected = await link(ISV_SUB);
              expect(asObj(data.order).lineItems).toEqual([{ subscriptionId: ISV_SUB, activationLink: expected }]);
              const nested = (asObj(asObj(data.customer).orders).nodes as Obj[]).find((o) => o.id === ISV_ORDER)!;
              expect(nested.lineItems).toEqual([{ activationLink: expected }]);
            },
            // A field, not a lookup: the schema documents it as shown to those roles only, null otherwise.
            // The line itself is left out for them (Order.lineItems(publisher: isv)), its link with it.
            hidden: async (answer) => {
              expect(asObj(answer.data!.order).lineItems).toEqual([]);
              for (const o of asObj(asObj(answer.data!.customer).orders).nodes as Obj[])
                for (const l of o.lineItems as Obj[]) expect(l.activationLink).toBeNull();
              expect(answer.text).not.toContain(await link(ISV_SUB));
            },
          },
        }),
      ];
    },
  );

  roleTest(
    'Order.lineItems(publisher: isv)',
    'ROLE-MARKETPLACE: only a global admin or an admin agent sees an order’s marketplace lines; for every other role they are left out (no offer name, MARKETPLACE_SAAS or subscription ID), the Microsoft lines stay',
    () => {
      const ORDER_LINES = `query RtOrderLines($order: ID!, $mixed: ID!, $customer: ID!) {
        order(id: $order) { id lineItems { lineItemNumber offerId subscriptionId friendlyName offer { name commerceType } } }
        mixed: order(id: $mixed) { id totalPrice { amountInCents } lineItems { lineItemNumber offerId subscriptionId friendlyName offer { name commerceType } } }
        customer(id: $customer) { orders(first: 100) { totalCount nodes { id lineItems { offerId subscriptionId offer { name commerceType } } } } }
      }`;
      const isvName = CATALOG.find((o) => o._id === O.litwareBackup)!.name;
      const msName = CATALOG.find((o) => o._id === O.m365BusinessBasic)!.name;
      const msLine = {
        lineItemNumber: 0,
        offerId: O.m365BusinessBasic,
        subscriptionId: MS_SUB,
        friendlyName: 'Office',
        offer: { name: msName, commerceType: 'NEW_COMMERCE' },
      };
      return [
        read({
          label: 'order.lineItems and customer.orders.lineItems',
          field: 'order',
          query: ORDER_LINES,
          variables: { order: ISV_ORDER, mixed: MIXED_ORDER, customer: C },
          options: {
            allowed: (data) => {
              const lines = asObj(data.order).lineItems as Obj[];
              expect(lines.map((l) => [l.subscriptionId, asObj(l.offer).commerceType])).toEqual([[ISV_SUB, 'MARKETPLACE_SAAS']]);
              expect(asObj(data.mixed).lineItems).toEqual([
                msLine,
                {
                  lineItemNumber: 1,
                  offerId: O.litwareBackup,
                  subscriptionId: MIXED_ISV_SUB,
                  friendlyName: 'Backup',
                  offer: { name: isvName, commerceType: 'MARKETPLACE_SAAS' },
                },
              ]);
            },
            hidden: (answer) => {
              expect(answer.data!.order).toEqual({ id: ISV_ORDER, lineItems: [] });
              expect(answer.data!.mixed).toEqual({ id: MIXED_ORDER, totalPrice: { amountInCents: 14_400 }, lineItems: [msLine] });
              const orders = asObj(asObj(answer.data!.customer).orders);
              expect((orders.nodes as Obj[]).map((o) => o.id)).toEqual(expect.arrayContaining([ISV_ORDER, MIXED_ORDER]));
              for (const o of orders.nodes as Obj[]) {
                for (const l of o.lineItems as Obj[]) expect(asObj(l.offer).commerceType, String(o.id)).not.toBe('MARKETPLACE_SAAS');
              }
              for (const secret of [ISV_SUB, MIXED_ISV_SUB, O.litwareBackup, isvName, 'MARKETPLACE_SAAS'])
                expect(answer.text).not.toContain(secret);
            },
          },
        }),
      ];
    },
  );

  roleTest(
    'Query.activityLog',
    'ROLE-ACTIVITY-LOG: global, account, referral and marketing content admins read the activity log; an admin agent and every other role get FORBIDDEN',
    () => [
      read({
        label: 'activityLog',
        field: 'activityLog',
        query: `query RtLog($from: DateTimeISO!, $to: DateTimeISO!) { activityLog(from: $from, to: $to) { totalCount } }`,
        variables: LOG_RANGE,
        options: {
          allowed: (data) => expect(typeof asObj(data.activityLog).totalCount).toBe('number'),
        },
      }),
    ],
  );
});

// ---------------------------------------------------------------------------------------------
// Mutations

const SUBS_THEN_MARKETPLACE: readonly RoleRule[] = ['ROLE-SUBSCRIPTIONS', 'ROLE-MARKETPLACE'];

/** Every subscription change of checkSubscriptionRoles (AUTHORIZATION: `Mutation.<subscription change>`), on one subscription. */
function subscriptionChanges(subscriptionId: string, options: Partial<Op> = {}): Op[] {
  const t = (field: string, inputType: string, extra: Obj = {}) => mutation(field, inputType, { subscriptionId, ...extra }, options);
  return [
    t('updateSubscription', 'UpdateSubscriptionInput', { friendlyName: 'Role table' }),
    t('suspendSubscription', 'SuspendSubscriptionInput', { reason: 'CUSTOMER_REQUEST' }),
    t('reactivateSubscription', 'SubscriptionTargetInput'),
    t('pauseSubscription', 'SubscriptionTargetInput'),
    t('resumeSubscription', 'SubscriptionTargetInput'),
    t('cancelSubscription', 'CancelSubscriptionInput'),
    t('scheduleChange', 'ScheduleChangeInput', { quantity: 4 }),
    t('updateScheduledChange', 'ScheduleChangeInput', { quantity: 3 }),
    t('deleteScheduledChange', 'SubscriptionTargetInput'),
    t('upgradeSubscription', 'UpgradeSubscriptionInput', { targetOfferId: O.m365BusinessStandard }),
    t('partialUpgrade', 'PartialUpgradeInput', { targetOfferId: O.m365BusinessStandard, quantity: 1 }),
  ];
}

const supportRequest = (kind: string, resourceId: () => string, extra: Obj = {}) => ({
  kind,
  customer: C,
  resourceId: resourceId(),
  title: 'Role table request',
  reason: 'Bought by mistake',
  contact: CONTACT,
  ...extra,
});

describe('mutations', () => {
  roleTest(
    'Mutation.purchase',
    'ROLE-SUBSCRIPTIONS: admin agents, billing, global admins, helpdesk and sales agents buy a Microsoft offer; every other role gets FORBIDDEN',
    () => [
      mutation(
        'purchase',
        'PurchaseInput',
        { customerId: C, lineItems: [{ offerId: O.m365BusinessStandard, quantity: 1 }] },
        { clean: true },
      ),
    ],
  );

  roleTest(
    'Mutation.createCustomer',
    'ROLE-SUBSCRIPTIONS: admin agents, billing, global admins, helpdesk and sales agents create a customer; every other role gets FORBIDDEN',
    () => [
      mutation(
        'createCustomer',
        'CreateCustomerInput',
        {
          companyProfile: { companyName: 'Role Table New Customer', domain: 'rt-new-customer.onmicrosoft.com' },
          billingProfile: { defaultAddress: { country: 'US' } },
        },
        { clean: true, select: 'customer { id companyProfile { domain } }' },
      ),
    ],
  );

  roleTest(
    'Mutation.createOffer',
    "ROLE-SUBSCRIPTIONS: in a test sandbox, admin agents, billing, global admins, helpdesk and sales agents create the sandbox's own offer; every other role gets FORBIDDEN",
    () => [
      mutation(
        'createOffer',
        'CreateOfferInput',
        {
          name: 'Role Table Sandbox Offer',
          commerceType: 'NEW_COMMERCE',
          billingPlans: [{ billingCycle: 'MONTHLY', termDuration: 'P1M', price: { amountInCents: 1000, currencyCode: 'USD' } }],
        },
        { clean: true, select: 'offer { id name }', partner: SANDBOX_PARTNER },
      ),
    ],
  );

  roleTest(
    'Mutation.purchase(publisher: isv)',
    'ROLE-MARKETPLACE: only a global admin or an admin agent buys a marketplace offer; the other subscription roles get FORBIDDEN (ROLE-MARKETPLACE), the rest FORBIDDEN (ROLE-SUBSCRIPTIONS)',
    () => [
      mutation(
        'purchase',
        'PurchaseInput',
        { customerId: C, lineItems: [{ offerId: O.litwareBackup, quantity: 2, billingCycle: 'MONTHLY', termDuration: 'P1M' }] },
        { chain: SUBS_THEN_MARKETPLACE, clean: true },
      ),
    ],
  );

  roleTest(
    'Mutation.purchaseAddOn',
    'ROLE-SUBSCRIPTIONS: every subscription role buys an add-on for a Microsoft subscription; every other role gets FORBIDDEN',
    () => [mutation('purchaseAddOn', 'PurchaseAddOnInput', { subscriptionId: MS_SUB, offerId: O.audioConferencing, quantity: 1 })],
  );

  roleTest(
    'Mutation.<subscription change>',
    'ROLE-SUBSCRIPTIONS: every subscription role may edit, suspend, reactivate, pause, resume, cancel, schedule, upgrade a Microsoft subscription; every other role gets FORBIDDEN',
    () => subscriptionChanges(MS_SUB),
  );

  roleTest(
    'Mutation.<subscription change>(publisher: isv)',
    'ROLE-MARKETPLACE: only a global admin or an admin agent changes a marketplace subscription (every change, and buying an add-on for it); the other subscription roles get FORBIDDEN (ROLE-MARKETPLACE), the rest FORBIDDEN (ROLE-SUBSCRIPTIONS)',
    () => [
      ...subscriptionChanges(ISV_SUB, { chain: SUBS_THEN_MARKETPLACE }),
      mutation(
        'purchaseAddOn',
        'PurchaseAddOnInput',
        { subscriptionId: ISV_SUB, offerId: O.litwareBackupMetered },
        { chain: SUBS_THEN_MARKETPLACE },
      ),
    ],
  );

  roleTest(
    'Mutation.confirmFulfillment',
    'ROLE-MARKETPLACE: only a global admin or an admin agent confirms a marketplace fulfilment; every other role gets FORBIDDEN (a role without ROLE-SUBSCRIPTIONS by that rule first)',
    () => [
      mutation('confirmFulfillment', 'SubscriptionTargetInput', { subscriptionId: ISV_SUB }, { chain: SUBS_THEN_MARKETPLACE, clean: true }),
    ],
  );

  roleTest(
    'Mutation.advanceClock',
    'ROLE-SUBSCRIPTIONS: every subscription role advances the simulation clock (for real, a minute each); every other role gets FORBIDDEN and the clock stays',
    () => [
      mutation(
        'advanceClock',
        'AdvanceClockInput',
        { by: 'PT1M' },
        {
          dryRun: false,
          writes: true,
          clean: true,
          select: 'from to',
          allowed: (data) => {
            const p = asObj(data.advanceClock);
            expect(new Date(p.to as string).getTime() - new Date(p.from as string).getTime()).toBe(60_000);
          },
        },
      ),
    ],
  );

  roleTest(
    'Mutation.purchaseSoftware',
    'ROLE-SOFTWARE: only an admin agent or a global admin buys software; every other role gets FORBIDDEN',
    () => [
      mutation('purchaseSoftware', 'PurchaseSoftwareInput', { customerId: C, offerId: O.windowsServer2022Datacenter }, { clean: true }),
    ],
  );

  roleTest(
    'Mutation.purchaseReservation',
    'ROLE-SOFTWARE: only an admin agent or a global admin buys an Azure reservation; every other role gets FORBIDDEN',
    () => [
      mutation(
        'purchaseReservation',
        'PurchaseReservationInput',
        {
          customerId: C,
          offerId: O.reservedVmD2sV5,
          region: 'westeurope',
          quantity: 1,
          scope: { type: 'SINGLE', subscriptionId: AZURE_SUB },
          azureSubscriptionId: AZURE_SUB,
        },
        { clean: true },
      ),
    ],
  );

  roleTest(
    'Mutation.getSoftwareKey',
    'ROLE-SOFTWARE-KEYS: only an admin agent gets a software key; a global admin and every other role get FORBIDDEN',
    () => [
      mutation(
        'getSoftwareKey',
        'GetSoftwareKeyInput',
        { softwareOrderId: SW_ORDER, productVersion: WINDOWS },
        { clean: true, select: 'productKey' },
      ),
    ],
  );

  roleTest(
    'Mutation.cancelSoftwareOrder',
    'ROLE-SOFTWARE-CANCEL: only an admin agent cancels a software purchase; a global admin and every other role get FORBIDDEN',
    () => [mutation('cancelSoftwareOrder', 'CancelSoftwareOrderInput', { softwareOrderId: SW_ORDER }, { clean: true })],
  );

  roleTest(
    'Mutation.cancelReservation',
    'ROLE-RESERVATIONS: admin agents, global admins, helpdesk and sales agents and user management admins cancel a reservation; every other role gets FORBIDDEN',
    () => [mutation('cancelReservation', 'CancelReservationInput', { reservationId: RES_MAIN }, { clean: true })],
  );

  roleTest(
    'Mutation.updateReservation',
    'ROLE-RESERVATIONS: the reservation roles change a reservation’s scope; every other role gets FORBIDDEN',
    () => [
      mutation('updateReservation', 'UpdateReservationInput', { reservationId: RES_MAIN, scope: { type: 'SHARED' } }, { clean: true }),
    ],
  );

  roleTest(
    'Mutation.exchangeReservation',
    'ROLE-RESERVATIONS: the reservation roles exchange a reservation; every other role gets FORBIDDEN',
    () => [
      mutation('exchangeReservation', 'ExchangeReservationInput', { reservationId: RES_MAIN, offerId: O.reservedVmE4sV5, quantity: 1 }),
    ],
  );

  roleTest(
    'Mutation.setReservationUtilization',
    'ROLE-RESERVATIONS: the reservation roles report a reservation’s utilisation; every other role gets FORBIDDEN',
    () => [
      mutation(
        'setReservationUtilization',
        'SetReservationUtilizationInput',
        { reservationId: RES_MAIN, utilizationPercent: 10 },
        { clean: true },
      ),
    ],
  );

  roleTest(
    'Mutation.createSupportRequest(kind: SOFTWARE_*)',
    'ROLE-SOFTWARE: only an admin agent or a global admin asks for a software refund; every other role gets FORBIDDEN',
    () => [
      mutation(
        'createSupportRequest',
        'CreateSupportRequestInput',
        supportRequest('SOFTWARE_REFUND', () => SW_ORDER, { impact: 'Moderate', amountRequestedInCents: 615_500 }),
        { clean: true },
      ),
    ],
  );

  roleTest(
    'Mutation.createSupportRequest(kind: RESERVATION_*)',
    'ROLE-RESERVATIONS: the reservation roles ask for a reservation refund or exchange; every other role gets FORBIDDEN',
    () => [
      mutation(
        'createSupportRequest',
        'CreateSupportRequestInput',
        supportRequest('RESERVATION_REFUND', () => RES_MAIN),
        { clean: true },
      ),
      mutation(
        'createSupportRequest',
        'CreateSupportRequestInput',
        supportRequest('RESERVATION_EXCHANGE', () => RES_MAIN),
        { clean: true },
      ),
    ],
  );
});

// ---------------------------------------------------------------------------------------------
// Real (non-dry-run) allowed writes, one or more per row

/** A real mutation as `role` that must apply: no error, no userError, an operation ID. */
async function applied(op: Op, role: PartnerRole): Promise<Obj> {
  const data = ok(await call(op.query, op.variables(false), role), `${op.label} as ${role}`);
  const p = asObj(data[op.field]);
  expect(p.userErrors, `${op.label} as ${role}`).toEqual([]);
  expect(p.dryRun).toBe(false);
  expect(p.operationId).toMatch(/^[0-9a-f-]{36}$/);
  return p;
}

describe('real writes by allowed roles', () => {
  it('ROLE-SUBSCRIPTIONS: each subscription role renames a Microsoft subscription for real; a sales agent buys, a billing admin buys an add-on', async () => {
    for (const role of ROLE_RULES['ROLE-SUBSCRIPTIONS']) {
      const name = `Renamed by ${role}`;
      await applied(mutation('updateSubscription', 'UpdateSubscriptionInput', { subscriptionId: MS_SUB, friendlyName: name }), role);
      expect((await gw.collections.subscriptions.findOne({ _id: MS_SUB }))!.friendlyName).toBe(name);
    }
    const bought = await applied(
      mutation(
        'purchase',
        'PurchaseInput',
        { customerId: C, lineItems: [{ offerId: O.m365E3, quantity: 3 }] },
        { select: 'subscriptions { id }' },
      ),
      'sales_agent',
    );
    const [sub] = bought.subscriptions as Obj[];
    expect(await gw.collections.subscriptions.findOne({ _id: sub!.id as string })).toMatchObject({ offerId: O.m365E3, quantity: 3 });
    const addOn = await applied(
      mutation(
        'purchaseAddOn',
        'PurchaseAddOnInput',
        { subscriptionId: MS_SUB, offerId: O.audioConferencing, quantity: 2 },
        { select: 'addOn { id }' },
      ),
      'billing_admin',
    );
    expect(await gw.collections.subscriptions.findOne({ _id: asObj(addOn.addOn).id as string })).toMatchObject({
      parentSubscriptionId: MS_SUB,
      offerId: O.audioConferencing,
    });
  });

  it('ROLE-MARKETPLACE: a global admin buys a marketplace offer for real and renames it, an admin agent confirms its fulfilment', async () => {
    const p = await applied(
      mutation(
        'purchase',
        'PurchaseInput',
        { customerId: C, lineItems: [{ offerId: O.prosewareCrm, quantity: 2, billingCycle: 'MONTHLY', termDuration: 'P1M' }] },
        { select: 'subscriptions { id activationLink fulfilmentStatus }' },
      ),
      'global_admin',
    );
    const [sub] = p.subscriptions as Obj[];
    const id = sub!.id as string;
    expect(sub).toEqual({ id, activationLink: await link(id), fulfilmentStatus: 'ACTION_NEEDED' });
    await applied(mutation('updateSubscription', 'UpdateSubscriptionInput', { subscriptionId: id, friendlyName: 'CRM' }), 'global_admin');
    await applied(mutation('confirmFulfillment', 'SubscriptionTargetInput', { subscriptionId: id }), 'admin_agent');
    expect(await gw.collections.subscriptions.findOne({ _id: id })).toMatchObject({
      friendlyName: 'CRM',
      fulfilment: { status: 'fulfilled' },
    });
  });

  it('ROLE-SOFTWARE: a global admin buys software and an Azure reservation for real, and asks for a software refund', async () => {
    const sw = await applied(
      mutation(
        'purchaseSoftware',
        'PurchaseSoftwareInput',
        { customerId: C, offerId: O.sqlServer2022Standard },
        { select: 'softwareOrder { id }' },
      ),
      'global_admin',
    );
    const order = asObj(sw.softwareOrder).id as string;
    expect(await gw.collections.softwareOrders.findOne({ _id: order })).toMatchObject({ offerId: O.sqlServer2022Standard, customerId: C });
    const rv = await applied(
      mutation(
        'purchaseReservation',
        'PurchaseReservationInput',
        {
          customerId: C,
          offerId: O.reservedVmD2sV5,
          region: 'westeurope',
          quantity: 1,
          scope: { type: 'SINGLE', subscriptionId: AZURE_SUB },
          azureSubscriptionId: AZURE_SUB,
        },
        { select: 'reservation { id }' },
      ),
      'global_admin',
    );
    expect(await gw.collections.reservations.findOne({ _id: asObj(rv.reservation).id as string })).toMatchObject({
      customerId: C,
      status: 'active',
    });
    const sr = await applied(
      mutation(
        'createSupportRequest',
        'CreateSupportRequestInput',
        supportRequest('SOFTWARE_REFUND', () => order, { impact: 'Moderate', amountRequestedInCents: 100 }),
        { select: 'supportRequest { id }' },
      ),
      'global_admin',
    );
    expect(await gw.collections.supportRequests.findOne({ _id: asObj(sr.supportRequest).id as string })).toMatchObject({
      kind: 'software_refund',
      resourceId: order,
    });
  });

  it('ROLE-SOFTWARE-KEYS: an admin agent gets a software key for real: the key is shown and the view logged', async () => {
    const p = await applied(
      mutation(
        'getSoftwareKey',
        'GetSoftwareKeyInput',
        { softwareOrderId: SW_ORDER, productVersion: WINDOWS },
        { select: 'productKey activity { id }' },
      ),
      'admin_agent',
    );
    expect(p.productKey).toMatch(/\S{5}-\S{5}/);
    expect(await gw.collections.softwareActivity.findOne({ _id: asObj(p.activity).id as string })).toMatchObject({
      softwareOrderId: SW_ORDER,
      activity: 'view_key',
    });
  });

  it('ROLE-ACTIVITY-LOG: after an admin agent downloads software (real), each activity-log role reads the download in the log', async () => {
    const p = await applied(
      mutation(
        'getSoftwareKey',
        'GetSoftwareKeyInput',
        { softwareOrderId: SW_ORDER, productVersion: WINDOWS, activity: 'DOWNLOAD' },
        { select: 'activity { id }' },
      ),
      'admin_agent',
    );
    const activity = asObj(p.activity).id;
    for (const role of ROLE_RULES['ROLE-ACTIVITY-LOG']) {
      const data = ok(
        await call(
          `query RtLog($from: DateTimeISO!, $to: DateTimeISO!) { activityLog(from: $from, to: $to, first: 100) { nodes { id activity } } }`,
          LOG_RANGE,
          role,
        ),
        role,
      );
      expect(asObj(data.activityLog).nodes, role).toContainEqual({ id: activity, activity: 'DOWNLOAD' });
    }
  });

  it('ROLE-SOFTWARE-CANCEL: an admin agent cancels a software purchase for real and is credited', async () => {
    const p = await applied(
      mutation(
        'cancelSoftwareOrder',
        'CancelSoftwareOrderInput',
        { softwareOrderId: SW_ORDER_TO_CANCEL },
        { select: 'credit { amountInCents }' },
      ),
      'admin_agent',
    );
    expect(asObj(p.credit).amountInCents).toBeGreaterThan(0);
    expect(await gw.collections.softwareOrders.findOne({ _id: SW_ORDER_TO_CANCEL })).toMatchObject({ status: 'cancelled' });
  });

  it('ROLE-RESERVATIONS: a user management admin cancels, a helpdesk agent rescopes, a sales agent reports utilisation, a global admin asks for an exchange, all for real', async () => {
    const cancelled = await applied(
      mutation('cancelReservation', 'CancelReservationInput', { reservationId: RES_CANCEL }, { select: 'refund { amountInCents }' }),
      'user_management_admin',
    );
    expect(asObj(cancelled.refund).amountInCents).toBeGreaterThan(0);
    expect(await gw.collections.reservations.findOne({ _id: RES_CANCEL })).toMatchObject({ status: 'cancelled' });
    await applied(
      mutation('updateReservation', 'UpdateReservationInput', { reservationId: RES_UTIL, scope: { type: 'SHARED' } }),
      'helpdesk_agent',
    );
    await applied(
      mutation('setReservationUtilization', 'SetReservationUtilizationInput', { reservationId: RES_UTIL, utilizationPercent: 25 }),
      'sales_agent',
    );
    expect(await gw.collections.reservations.findOne({ _id: RES_UTIL })).toMatchObject({
      scope: { type: 'shared' },
      utilizationPercent: 25,
      hasUsage: true,
    });
    const sr = await applied(
      mutation(
        'createSupportRequest',
        'CreateSupportRequestInput',
        supportRequest('RESERVATION_EXCHANGE', () => RES_UTIL),
        {
          select: 'supportRequest { id }',
        },
      ),
      'global_admin',
    );
    expect(await gw.collections.supportRequests.findOne({ _id: asObj(sr.supportRequest).id as string })).toMatchObject({
      kind: 'reservation_exchange',
      resourceId: RES_UTIL,
    });
  });
});

describe('marketplace subscriptions reached through other fields', () => {
  TESTED.add('OrderLineItem.subscription(publisher: isv)');
  TESTED.add('Subscription.addOns(publisher: isv)');
  const mayView = (role: PartnerRole | null) => role !== null && (ROLE_RULES['ROLE-MARKETPLACE'] as readonly string[]).includes(role);

  it("ROLE-MARKETPLACE: an order line's marketplace subscription is reached by no other role: its line is left out, and a line that names one anyway answers FORBIDDEN at that field, the order's other fields keeping their data", async () => {
    // A line whose offer is not a marketplace one but whose subscription is: not written by the
    // gateway, so inserted here, to show the field checks the subscription itself.
    const odd = '0000000b0dd1';
    await gw.collections.orders.insertOne(
      anOrder({
        _id: odd,
        customerId: C,
        lineItems: [{ ...MIXED_LINE, lineItemNumber: 0, offerId: O.m365BusinessBasic, subscriptionId: ISV_SUB, friendlyName: 'Odd' }],
      }),
    );
    try {
      const query = `query RtOrderLine($id: ID!, $odd: ID!) {
        order(id: $id) { id lineItems { offerId subscription { id } } }
        odd: order(id: $odd) { id lineItems { offerId subscription { id } } }
      }`;
      for (const role of CALLERS) {
        const r = await call(query, { id: ISV_ORDER, odd }, role);
        const order = asObj(asObj(r.data!).order);
        const oddLine = asObj((asObj(asObj(r.data!).odd).lineItems as Json[])[0]);
        expect(order.id, who(role)).toBe(ISV_ORDER);
        if (mayView(role)) {
          expect(r.errors, who(role)).toBeUndefined();
          expect(order.lineItems, who(role)).toEqual([{ offerId: O.litwareBackup, subscription: { id: ISV_SUB } }]);
          expect(oddLine.subscription, who(role)).toEqual({ id: ISV_SUB });
        } else {
          expect(order.lineItems, who(role)).toEqual([]);
          expect(
            r.errors?.map((e) => [e.extensions, e.path]),
            who(role),
          ).toEqual([[{ code: 'FORBIDDEN', rule: 'ROLE-MARKETPLACE' }, ['odd', 'lineItems', 0, 'subscription']]]);
          expect(oddLine, who(role)).toEqual({ offerId: O.m365BusinessBasic, subscription: null });
          expect(r.text, who(role)).not.toContain(ISV_SUB);
        }
      }
    } finally {
      await gw.collections.orders.deleteOne({ _id: odd });
    }
  });

  it('ROLE-MARKETPLACE: a marketplace add-on is left out of a subscription’s addOns for other roles', async () => {
    const isvAddOnOfMicrosoft = guid('rt-isv-addon-on-ms');
    await gw.collections.subscriptions.insertOne(
      aSubscription({
        _id: isvAddOnOfMicrosoft,
        customerId: C,
        offerId: O.litwareBackupMetered,
        publisher: 'isv',
        commerceType: 'marketplace_saas',
        parentSubscriptionId: MS_SUB,
        quantity: 1,
      }),
    );
    try {
      const query = 'query RtAddOns($id: ID!) { subscription(id: $id) { id addOns { id } } }';
      const all = await gw.collections.subscriptions.find({ parentSubscriptionId: MS_SUB }).toArray();
      const microsoft = all.filter((a) => a.publisher !== 'isv').map((a) => a._id);
      expect(microsoft).toContain(MS_ADDON);
      for (const role of CALLERS) {
        const data = ok(await call(query, { id: MS_SUB }, role), who(role));
        const ids = (asObj(data.subscription).addOns as Obj[]).map((a) => a.id).sort();
        expect(ids, who(role)).toEqual((mayView(role) ? all.map((a) => a._id) : microsoft).sort());
      }
    } finally {
      await gw.collections.subscriptions.deleteOne({ _id: isvAddOnOfMicrosoft });
    }
  });
});

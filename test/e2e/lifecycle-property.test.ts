import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntryDoc, PartnerDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { STATUS_TRANSITIONS } from '../../src/policy/states.js';
import { CATALOG } from '../../src/seed/catalog.js';
import { clockLockKey, customerLockKey } from '../../src/write/locks.js';
import {
  WsAdvanceClockDocument,
  WsCancelDocument,
  WsClockDocument,
  WsConfirmFulfillmentDocument,
  WsInvoiceDocument,
  WsPartialUpgradeDocument,
  WsPauseDocument,
  WsPurchaseAddOnDocument,
  WsPurchaseDocument,
  WsReactivateDocument,
  WsResumeDocument,
  WsScheduleChangeDocument,
  WsSuspendDocument,
  WsUpdateSubscriptionDocument,
  WsUpgradeDocument,
  type BillingCycle,
  type SuspensionReason,
  type TermDuration,
  type UpgradeTiming,
} from '../generated/graphql.js';
import { aCustomer, guid } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

/*
 * Random sequences of operations through GraphQL, each on a fresh partner (its own simulation
 * clock) and customer, with the invariants below checked against the database after every step.
 * Refusals (userErrors) are data; any top-level GraphQL error fails the property.
 *
 *   UPG-FULL / UPG-PARTIAL   licences are conserved: an upgrade moves exactly its licences (source
 *                            loses them, target gains them); overall, licences change only by
 *                            purchases, seat edits and scheduled seat changes applied at renewal.
 *   MONEY-EXACT              at most one refund per subscription; the month's invoice equals the sum
 *                            of the month's ledger entries; no subscription's chargedCents < 0.
 *   ADDON-ALIGN / -CASCADE   a live add-on never outlives its base's term, is never live under a
 *                            deleted base, and is not active under a suspended base.
 *   SUSP-STATES / CANCEL-FINAL  statuses move only along STATUS_TRANSITIONS; deleted is final.
 *   (write path)             every applied operation has its audit event; nothing left pending or locked.
 *
 * A failure prints the seed, the shrunk command list and the steps of the failing run (with the
 * gateway's logged cause of an internal error). WS_PROPERTY_SEED replays a seed, WS_PROPERTY_RUNS
 * changes the number of runs, WS_TRACE=1 prints every step with its duration.
 */

const SEED = Number(process.env.WS_PROPERTY_SEED ?? 20261101);
const NUM_RUNS = Number(process.env.WS_PROPERTY_RUNS ?? 12);
const ADMIN_ROLES = 'admin_agent';

/** Every (offer, plan) the catalog sells as a subscription: new commerce, legacy, marketplace (trials and usage included). */
const PURCHASABLE = CATALOG.filter(
  (o) => !o.isAddOn && (o.commerceType === 'new_commerce' || o.commerceType === 'legacy' || o.commerceType === 'marketplace_saas'),
).flatMap((o) =>
  o.billingPlans.map((p) => ({
    offerId: o._id,
    billingCycle: p.billingCycle.toUpperCase() as BillingCycle,
    termDuration: p.termDuration as TermDuration,
  })),
);
const OFFERS = new Map(CATALOG.map((o) => [o._id, o]));

type Timing = UpgradeTiming;
type Command =
  | { k: 'purchase'; line: number; qty: number }
  | { k: 'addOn'; base: number; addOn: number; qty: number }
  | { k: 'quantity'; sub: number; delta: number }
  | { k: 'autoRenew'; sub: number }
  | { k: 'partialUpgrade'; sub: number; target: number; qty: number; timing: Timing; existing: boolean }
  | { k: 'upgrade'; sub: number; target: number; timing: Timing; existing: boolean }
  | { k: 'pause' | 'resume' | 'reactivate' | 'cancel' | 'confirm'; sub: number }
  | { k: 'suspend'; sub: number; reason: SuspensionReason }
  | { k: 'schedule'; sub: number; minus: number }
  | { k: 'advance'; by: string };

const pick = fc.nat({ max: 1_000 });
const timing = fc.constantFrom<Timing>('NOW', 'TERM_END');
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('purchase' as const), line: pick, qty: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('addOn' as const), base: pick, addOn: pick, qty: fc.integer({ min: 1, max: 20 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('quantity' as const),
      sub: pick,
      delta: fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('autoRenew' as const), sub: pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('partialUpgrade' as const),
      sub: pick,
      target: pick,
      qty: fc.integer({ min: 1, max: 20 }),
      timing,
      existing: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('upgrade' as const), sub: pick, target: pick, timing, existing: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('pause' as const), sub: pick }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('resume' as const), sub: pick }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('suspend' as const),
      sub: pick,
      reason: fc.constantFrom<SuspensionReason>('CUSTOMER_REQUEST', 'NON_PAYMENT', 'FRAUD'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reactivate' as const), sub: pick }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cancel' as const), sub: pick }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('confirm' as const), sub: pick }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('schedule' as const), sub: pick, minus: fc.integer({ min: 1, max: 5 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('advance' as const),
      by: fc.oneof(
        { weight: 2, arbitrary: fc.integer({ min: 1, max: 48 }).map((h) => `PT${h}H`) },
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 60 }).map((d) => `P${d}D`) },
        { weight: 1, arbitrary: fc.integer({ min: 61, max: 400 }).map((d) => `P${d}D`) },
      ),
    }),
  },
);

/** A sequence of up to 25 commands; it opens with 1 to 3 purchases, so the rest has something to act on. */
const sequenceArb: fc.Arbitrary<Command[]> = fc
  .tuple(
    fc.array(fc.record({ k: fc.constant('purchase' as const), line: pick, qty: fc.integer({ min: 1, max: 20 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.array(commandArb, { minLength: 4, maxLength: 22, size: 'max' }),
  )
  .map(([purchases, rest]) => [...purchases, ...rest]);

let gw: TestGateway;
let runNumber = 0;

beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
  });
});
afterAll(() => gw?.close());

type Snapshot = Map<string, SubscriptionDoc>;

class InvariantError extends Error {
  override name = 'InvariantError';
}

/** One run: a fresh partner and customer, the subscriptions seen so far in a stable order, and a trace for failures. */
class World {
  readonly partnerId: string;
  readonly customerId: string;
  readonly options: CallOptions;
  /** Subscription IDs in the order they appeared (commands pick among them by index). */
  readonly order: string[] = [];
  subs: Snapshot = new Map();
  now = new Date(0);
  readonly trace: string[] = [];
  /** Where the gateway's log stood when the current step began. */
  logMark = 0;

  constructor(readonly run: number) {
    this.partnerId = guid(`ws-property-partner-${run}-${Date.now()}`);
    this.customerId = guid(`ws-property-customer-${run}-${Date.now()}`);
    this.options = { partner: this.partnerId, roles: ADMIN_ROLES };
  }

  fail(rule: string, message: string): never {
    throw new InvariantError(`${rule}: ${message}\n(seed ${SEED}; steps of this run:)\n  ${this.trace.join('\n  ')}`);
  }

  check(condition: boolean, rule: string, message: () => string): void {
    if (!condition) this.fail(rule, message());
  }

  label(id: string): string {
    const i = this.order.indexOf(id);
    return i < 0 ? id : `#${i}`;
  }

  async setUp(): Promise<void> {
    const partner: PartnerDoc = {
      _id: this.partnerId,
      name: `Property partner ${this.partnerId.slice(0, 8)}`,
      partnerType: 'direct_bill',
      mpnId: String(2_000_000 + this.run),
      indirectProviderId: null,
      createdAt: new Date('2020-01-01T00:00:00Z'),
    };
    await gw.collections.partners.insertOne(partner);
    await gw.collections.customers.insertOne(
      aCustomer({ _id: this.customerId, companyName: `Property ${this.customerId.slice(0, 8)}`, partnerId: this.partnerId }),
    );
    this.now = new Date(this.data(await gw.execute(WsClockDocument, {}, this.options)).simulationClock.now);
  }

  /**
   * Removes everything of this run, so the database stays small (FerretDB's SQLite backend scans
   * whole collections, and every run would slow down the next).
   */
  async tearDown(): Promise<void> {
    const c = gw.collections;
    const mine = { partnerId: this.partnerId };
    await Promise.all([
      c.subscriptions.deleteMany(mine),
      c.orders.deleteMany(mine),
      c.ledger.deleteMany(mine),
      c.operations.deleteMany(mine),
      c.auditEvents.deleteMany(mine),
      c.customers.deleteMany(mine),
      c.clock.deleteMany({ _id: this.partnerId }),
      c.partners.deleteMany({ _id: this.partnerId }),
    ]);
  }

  /** The response's data; any GraphQL error (INTERNAL_SERVER_ERROR, CONFLICT, ...) fails the property. */
  data<R>(r: GraphQLResponse<R>): R {
    if (r.errors?.length || !r.data) {
      // The gateway logged the unmasked cause during this step: show it with the failure.
      const logged = gw.logs.slice(this.logMark).find((l) => l.level === 'error');
      const cause = logged?.detail instanceof Error ? (logged.detail.stack ?? logged.detail.message) : JSON.stringify(logged?.detail);
      this.fail('GEN', `a request failed with ${JSON.stringify(r.errors)}; gateway log: ${logged?.message} ${cause}`);
    }
    return r.data;
  }

  async snapshot(): Promise<Snapshot> {
    const docs = await gw.collections.subscriptions.find({ partnerId: this.partnerId, customerId: this.customerId }).toArray();
    const next: Snapshot = new Map(docs.map((d) => [d._id, d]));
    // New subscriptions join the order deterministically: by what they came from, offer, quantity.
    const fresh = docs
      .filter((d) => !this.order.includes(d._id))
      .map((d) => ({
        d,
        from: this.order.indexOf(d.parentSubscriptionId ?? d.upgradedFromSubscriptionId ?? ''),
      }))
      .sort(
        (a, b) =>
          a.from - b.from || a.d.offerId.localeCompare(b.d.offerId) || a.d.quantity - b.d.quantity || a.d._id.localeCompare(b.d._id),
      );
    for (const { d } of fresh) this.order.push(d._id);
    return next;
  }

  /** A subscription by index among the live ones (all of them when none is live); null when there is none. */
  subAt(i: number, filter: (s: SubscriptionDoc) => boolean = () => true): SubscriptionDoc | null {
    const all = this.order.map((id) => this.subs.get(id)!).filter(filter);
    const live = all.filter((s) => s.status !== 'deleted');
    const from = live.length ? live : all;
    return from.length ? from[i % from.length]! : null;
  }
}

/** What a step promises about licences, checked after it. */
interface StepEffects {
  /** Expected change of the sum of all quantities (UPG-FULL: upgrades move licences, never create or lose them). */
  licenceDelta: number;
  /** An upgrade applied now: its source, target (null: a new one), and licences moved. */
  upgrade?: { sourceId: string; targetId: string | null; moved: number };
  /** Lifecycle events an advance applied. */
  events?: { kind: string; subscriptionId: string }[];
}

const NOTHING: StepEffects = { licenceDelta: 0 };

type UserErrors = readonly { rule: string; code: string }[];
const refused = (errors: UserErrors) => errors.map((e) => `${e.rule}/${e.code}`).join(',');

async function step(w: World, c: Command): Promise<{ note: string; effects: StepEffects }> {
  const o = w.options;
  const change = async (label: string, r: Promise<GraphQLResponse<Record<string, { userErrors: UserErrors }>>>) => {
    const payload = Object.values(w.data(await r))[0]!;
    return { note: payload.userErrors.length ? `${label} refused ${refused(payload.userErrors)}` : `${label} applied`, effects: NOTHING };
  };
  switch (c.k) {
    case 'purchase': {
      const line = PURCHASABLE[c.line % PURCHASABLE.length]!;
      const r = w.data(
        await gw.execute(WsPurchaseDocument, { input: { customerId: w.customerId, lineItems: [{ ...line, quantity: c.qty }] } }, o),
      ).purchase;
      const label = `purchase ${line.offerId} ${line.billingCycle}/${line.termDuration} x${c.qty}`;
      if (r.userErrors.length) return { note: `${label} refused ${refused(r.userErrors)}`, effects: NOTHING };
      return { note: `${label} applied`, effects: { licenceDelta: r.subscriptions.reduce((n, s) => n + s.quantity, 0) } };
    }
    case 'addOn': {
      const base = w.subAt(c.base, (s) => s.parentSubscriptionId === null);
      if (!base) return { note: 'addOn skipped (no base)', effects: NOTHING };
      const eligible = OFFERS.get(base.offerId)?.eligibleAddOnIds ?? [];
      const offerId = eligible.length ? eligible[c.addOn % eligible.length]! : CATALOG.find((x) => x.isAddOn)!._id;
      const r = w.data(
        await gw.execute(WsPurchaseAddOnDocument, { input: { subscriptionId: base._id, offerId, quantity: c.qty } }, o),
      ).purchaseAddOn;
      const label = `addOn ${offerId} x${c.qty} on ${w.label(base._id)}`;
      if (r.userErrors.length) return { note: `${label} refused ${refused(r.userErrors)}`, effects: NOTHING };
      return { note: `${label} applied`, effects: { licenceDelta: c.qty } };
    }
    case 'quantity': {
      const s = w.subAt(c.sub);
      if (!s) return { note: 'quantity skipped', effects: NOTHING };
      const quantity = Math.max(1, s.quantity + c.delta);
      const r = w.data(
        await gw.execute(WsUpdateSubscriptionDocument, { input: { subscriptionId: s._id, quantity } }, o),
      ).updateSubscription;
      const label = `quantity ${w.label(s._id)} ${s.quantity} -> ${quantity}`;
      if (r.userErrors.length) return { note: `${label} refused ${refused(r.userErrors)}`, effects: NOTHING };
      return { note: `${label} applied`, effects: { licenceDelta: quantity - s.quantity } };
    }
    case 'autoRenew': {
      const s = w.subAt(c.sub);
      if (!s) return { note: 'autoRenew skipped', effects: NOTHING };
      return change(
        `autoRenew ${w.label(s._id)} -> ${!s.autoRenewEnabled}`,
        gw.execute(WsUpdateSubscriptionDocument, { input: { subscriptionId: s._id, autoRenewEnabled: !s.autoRenewEnabled } }, o),
      );
    }
    case 'partialUpgrade':
    case 'upgrade': {
      const s = w.subAt(c.sub, (x) => x.parentSubscriptionId === null);
      if (!s) return { note: `${c.k} skipped`, effects: NOTHING };
      const targets = OFFERS.get(s.offerId)?.upgradeTargetIds ?? [];
      const targetOfferId = targets.length ? targets[c.target % targets.length]! : s.offerId;
      const existing = c.existing
        ? ([...w.subs.values()].find(
            (x) => x._id !== s._id && x.offerId === targetOfferId && x.status === 'active' && x.parentSubscriptionId === null,
          ) ?? null)
        : null;
      const base = { subscriptionId: s._id, targetOfferId, timing: c.timing, targetSubscriptionId: existing?._id ?? null };
      // A partial upgrade moves 1 to all of the source's licences (its count wraps around the source's quantity).
      const moved = c.k === 'partialUpgrade' ? 1 + ((c.qty - 1) % Math.max(1, s.quantity)) : s.quantity;
      const payload =
        c.k === 'partialUpgrade'
          ? w.data(await gw.execute(WsPartialUpgradeDocument, { input: { ...base, quantity: moved } }, o)).partialUpgrade
          : w.data(await gw.execute(WsUpgradeDocument, { input: base }, o)).upgradeSubscription;
      const label = `${c.k} ${w.label(s._id)} (${s.quantity}) ${moved} -> ${targetOfferId}${existing ? ` into ${w.label(existing._id)}` : ''} ${c.timing}`;
      if (payload.userErrors.length) return { note: `${label} refused ${refused(payload.userErrors)}`, effects: NOTHING };
      if (c.timing === 'TERM_END') return { note: `${label} scheduled`, effects: NOTHING };
      w.check(
        payload.targetSubscription !== null && (existing === null || payload.targetSubscription.id === existing._id),
        'UPG-TARGET',
        () => `${label}: the payload names target ${JSON.stringify(payload.targetSubscription)}`,
      );
      return {
        note: `${label} applied`,
        effects: { licenceDelta: 0, upgrade: { sourceId: s._id, targetId: existing?._id ?? null, moved } },
      };
    }
    case 'pause':
    case 'resume':
    case 'reactivate':
    case 'cancel':
    case 'confirm': {
      const s = w.subAt(c.sub);
      if (!s) return { note: `${c.k} skipped`, effects: NOTHING };
      const input = { subscriptionId: s._id };
      const doc = {
        pause: WsPauseDocument,
        resume: WsResumeDocument,
        reactivate: WsReactivateDocument,
        confirm: WsConfirmFulfillmentDocument,
        cancel: WsCancelDocument,
      }[c.k];
      return change(`${c.k} ${w.label(s._id)} (${s.status})`, gw.execute(doc as typeof WsPauseDocument, { input }, o));
    }
    case 'suspend': {
      const s = w.subAt(c.sub);
      if (!s) return { note: 'suspend skipped', effects: NOTHING };
      return change(
        `suspend ${w.label(s._id)} (${s.status}) ${c.reason}`,
        gw.execute(WsSuspendDocument, { input: { subscriptionId: s._id, reason: c.reason } }, o),
      );
    }
    case 'schedule': {
      const s = w.subAt(c.sub);
      if (!s) return { note: 'schedule skipped', effects: NOTHING };
      const quantity = Math.max(1, s.quantity - c.minus);
      return change(
        `schedule ${w.label(s._id)} ${s.quantity} -> ${quantity} at renewal`,
        gw.execute(WsScheduleChangeDocument, { input: { subscriptionId: s._id, quantity } }, o),
      );
    }
    case 'advance': {
      const r = w.data(await gw.execute(WsAdvanceClockDocument, { input: { by: c.by } }, o)).advanceClock;
      if (r.userErrors.length) return { note: `advance ${c.by} refused ${refused(r.userErrors)}`, effects: NOTHING };
      w.now = new Date(r.to!);
      const events = r.events.map((e) => ({ kind: e.kind, subscriptionId: e.subscriptionId }));
      const summary = events.map((e) => `${e.kind} ${w.label(e.subscriptionId)}`).join(', ');
      return { note: `advance ${c.by} to ${r.to}: ${summary || 'no events'}`, effects: { licenceDelta: 0, events } };
    }
  }
}

/** Scheduled seat changes applied by this advance's first renewal of each subscription (SCHED-APPLY). */
function scheduledSeatDelta(before: Snapshot, events: readonly { kind: string; subscriptionId: string }[]): number {
  const renewed = new Set(events.filter((e) => e.kind === 'renewal').map((e) => e.subscriptionId));
  let delta = 0;
  for (const id of renewed) {
    const s = before.get(id);
    const next = s?.scheduledNextTermInstructions;
    if (s && next) delta += next.quantity - s.quantity;
  }
  return delta;
}

const licences = (subs: Snapshot) => [...subs.values()].reduce((n, s) => n + s.quantity, 0);

async function checkInvariants(w: World, before: Snapshot, after: Snapshot, effects: StepEffects): Promise<void> {
  // UPG-FULL / UPG-PARTIAL: an upgrade moves exactly its licences.
  if (effects.upgrade) {
    const { sourceId, targetId, moved } = effects.upgrade;
    const [src0, src1] = [before.get(sourceId)!, after.get(sourceId)!];
    w.check(src0.quantity === src1.quantity + moved, 'UPG-PARTIAL', () => `source ${src0.quantity} -> ${src1.quantity}, moved ${moved}`);
    if (moved === src0.quantity)
      w.check(src1.status === 'deleted' && src1.deletedReason === 'upgraded', 'UPG-FULL', () => `the source is ${src1.status}`);
    if (targetId) {
      const [t0, t1] = [before.get(targetId)!, after.get(targetId)!];
      w.check(t1.quantity === t0.quantity + moved, 'UPG-TARGET', () => `target ${t0.quantity} -> ${t1.quantity}, moved ${moved}`);
    } else {
      const created = [...after.values()].filter((s) => !before.has(s._id) && s.upgradedFromSubscriptionId === sourceId);
      w.check(
        created.length === 1 && created[0]!.quantity === moved,
        'UPG-PARTIAL',
        () => `new targets ${JSON.stringify(created.map((s) => s.quantity))}, moved ${moved}`,
      );
    }
  }
  // UPG-FULL: no licence is lost or duplicated; only purchases, edits and scheduled seat changes change the total.
  const expectedDelta = effects.licenceDelta + (effects.events ? scheduledSeatDelta(before, effects.events) : 0);
  w.check(
    licences(after) - licences(before) === expectedDelta,
    'UPG-FULL',
    () => `licences ${licences(before)} -> ${licences(after)}, expected a change of ${expectedDelta}`,
  );

  // SUSP-STATES, CANCEL-FINAL: statuses move only along the allowed transitions; nothing disappears.
  for (const [id, s0] of before) {
    const s1 = after.get(id);
    w.check(s1 !== undefined, 'SUSP-STATES', () => `subscription ${w.label(id)} disappeared`);
    w.check(
      s0.status === s1!.status || STATUS_TRANSITIONS[s0.status].includes(s1!.status),
      s0.status === 'deleted' ? 'CANCEL-FINAL' : 'SUSP-STATES',
      () => `subscription ${w.label(id)} moved ${s0.status} -> ${s1!.status}`,
    );
  }
  for (const [id, s] of after) {
    if (!before.has(id))
      w.check(['active', 'pending'].includes(s.status), 'SUSP-STATES', () => `new subscription ${w.label(id)} starts ${s.status}`);
  }

  // ADDON-ALIGN, ADDON-CASCADE.
  for (const a of after.values()) {
    if (a.parentSubscriptionId === null || a.status === 'deleted') continue;
    const base = after.get(a.parentSubscriptionId)!;
    w.check(
      base.status !== 'deleted',
      'ADDON-ALIGN',
      () => `add-on ${w.label(a._id)} is ${a.status} under deleted base ${w.label(base._id)}`,
    );
    w.check(
      a.commitmentEndDate.getTime() <= base.commitmentEndDate.getTime(),
      'ADDON-ALIGN',
      () =>
        `add-on ${w.label(a._id)} ends ${a.commitmentEndDate.toISOString()}, after its base ${w.label(base._id)} (${base.commitmentEndDate.toISOString()})`,
    );
    w.check(
      !(base.status === 'suspended' && a.status === 'active'),
      'ADDON-CASCADE',
      () => `add-on ${w.label(a._id)} is active under suspended base ${w.label(base._id)}`,
    );
  }

  // MONEY-EXACT: chargedCents never negative; at most one refund per subscription; the invoice is the ledger's sum.
  for (const s of after.values())
    w.check(
      Number.isSafeInteger(s.chargedCents) && s.chargedCents >= 0,
      'MONEY-EXACT',
      () => `${w.label(s._id)} chargedCents ${s.chargedCents}`,
    );
  const ledger: LedgerEntryDoc[] = await gw.collections.ledger.find({ partnerId: w.partnerId, customerId: w.customerId }).toArray();
  const refundsBySub = new Map<string, number>();
  for (const e of ledger) {
    w.check(Number.isSafeInteger(e.amountCents), 'MONEY-EXACT', () => `ledger ${e._id} amount ${e.amountCents}`);
    if (e.kind === 'refund') refundsBySub.set(e.source.id, (refundsBySub.get(e.source.id) ?? 0) + 1);
  }
  for (const [id, n] of refundsBySub) w.check(n <= 1, 'MONEY-EXACT', () => `${w.label(id)} was refunded ${n} times`);
  const period = w.now.toISOString().slice(0, 7);
  const start = new Date(`${period}-01T00:00:00.000Z`);
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const month = ledger.filter((e) => e.at >= start && e.at < end);
  const sum = (xs: LedgerEntryDoc[]) => xs.reduce((n, e) => n + e.amountCents, 0);
  const invoice = w.data(await gw.execute(WsInvoiceDocument, { customerId: w.customerId, period }, w.options)).invoice!;
  const expected = {
    entryCount: month.length,
    charges: sum(month.filter((e) => e.amountCents > 0)),
    credits: sum(month.filter((e) => e.amountCents < 0)),
    total: sum(month),
  };
  const actual = {
    entryCount: invoice.entryCount,
    charges: invoice.charges.amountInCents,
    credits: invoice.credits.amountInCents,
    total: invoice.total.amountInCents,
  };
  w.check(
    JSON.stringify(actual) === JSON.stringify(expected),
    'MONEY-EXACT',
    () => `invoice ${period} ${JSON.stringify(actual)} but the ledger sums to ${JSON.stringify(expected)}`,
  );

  // Every applied operation has its audit event; nothing is left pending; no lease is left behind.
  const [operations, audits, locks] = await Promise.all([
    gw.collections.operations.find({ partnerId: w.partnerId }, { projection: { status: 1, kind: 1 } }).toArray(),
    gw.collections.auditEvents.find({ partnerId: w.partnerId }, { projection: { _id: 1 } }).toArray(),
    gw.collections.locks.countDocuments({ _id: { $in: [customerLockKey(w.customerId), clockLockKey(w.partnerId)] } }),
  ]);
  const audited = new Set(audits.map((a) => a._id.replace(/:\d+$/, '')));
  for (const op of operations) {
    w.check(op.status === 'done', 'MONEY-EXACT', () => `operation ${op._id} (${op.kind}) is ${op.status}`);
    // invoice-ready is the calendar's doing, not anyone's action: it has an event and no audit record.
    if (op.kind !== 'invoice_ready') {
      w.check(audited.has(op._id), 'MONEY-EXACT', () => `operation ${op._id} (${op.kind}) has no audit event`);
    }
  }
  w.check(locks === 0, 'GEN-CLOCK', () => `${locks} lease(s) left behind`);

  // An event exists exactly when its change does: every applied operation has events, every event
  // names an applied operation, and the partner's sequence is 1..n without a gap (docs/events.md).
  const events = await gw.collections.events.find({ partnerId: w.partnerId }, { projection: { seq: 1, operationId: 1 } }).toArray();
  const withEvents = new Set(events.map((e) => e.operationId));
  const applied = new Set(operations.map((op) => op._id));
  for (const op of operations) w.check(withEvents.has(op._id), 'GEN-CLOCK', () => `operation ${op._id} (${op.kind}) has no event`);
  for (const e of events) w.check(applied.has(e.operationId!), 'GEN-CLOCK', () => `event ${e._id} names no applied operation`);
  const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
  w.check(
    seqs.every((seq, i) => seq === i + 1),
    'GEN-CLOCK',
    () => `the partner's event sequence has gaps or repeats: ${seqs.join(',')}`,
  );
}

const stats = { runs: 0, steps: 0, applied: 0 };

/** Runs the commands one by one on `w`, checking every invariant after each. */
async function run(w: World, commands: readonly Command[]): Promise<void> {
  w.subs = await w.snapshot();
  stats.runs++;
  for (const [i, c] of commands.entries()) {
    const before = w.subs;
    const started = Date.now();
    w.logMark = gw.logs.length;
    const { note, effects } = await step(w, c);
    w.trace.push(`${i}: ${note}`);
    w.subs = await w.snapshot();
    await checkInvariants(w, before, w.subs, effects);
    if (process.env.WS_TRACE) process.stdout.write(`run ${w.run} ${i} [${Date.now() - started} ms]: ${note}\n`);
    stats.steps++;
    if (/applied|scheduled|advance .* to /.test(note)) stats.applied++;
  }
}

describe('lifecycle property', () => {
  it('UPG-FULL, UPG-PARTIAL, MONEY-EXACT, ADDON-ALIGN, ADDON-CASCADE, SUSP-STATES, CANCEL-FINAL: random sequences of operations keep licences, money, terms and statuses consistent', async () => {
    await fc.assert(
      fc.asyncProperty(sequenceArb, async (commands) => {
        const w = new World(++runNumber);
        await w.setUp();
        try {
          await run(w, commands);
        } finally {
          await w.tearDown();
        }
      }),
      { seed: SEED, numRuns: NUM_RUNS, interruptAfterTimeLimit: 150_000, markInterruptAsFailure: true },
    );
    if (process.env.WS_TRACE) process.stdout.write(`${JSON.stringify(stats)}\n`);
    // The sequences exercise the write path, not only its refusals.
    expect(stats.runs).toBe(NUM_RUNS);
    expect(stats.applied).toBeGreaterThan(stats.steps / 3);
  }, 200_000);
});

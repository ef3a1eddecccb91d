import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { billedUntilAt } from '../../src/seed/billing.js';
import { cancelTerms } from '../../src/policy/cancellation.js';
import { proratedCharge, proratedRefund } from '../../src/policy/money.js';
import { activationLink } from '../../src/policy/purchase.js';
import { exchangeCredit, reservationRefundTerms } from '../../src/policy/reservation.js';
import { reservationsAvailableIn } from '../../src/policy/reservation-markets.js';
import { dataDeletionDate } from '../../src/policy/suspension.js';
import { upgradeCredit } from '../../src/policy/upgrade.js';
import { addTerm } from '../../src/policy/time.js';
import { CATALOG, OFFERS_BY_ID } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS, SEED_CLOCK_START } from '../../src/seed/demo-ids.js';
import {
  demoWorldSize,
  generateWorld,
  SEED_COLLECTIONS,
  seedDemoIfEmpty,
  seedWorld,
  type SeedDocs,
  type SeedProgress,
  type WorldBatch,
} from '../../src/seed/generate.js';
import { Rng } from '../../src/seed/random.js';
import { createMemoryLogger } from '../../src/shared/logger.js';
import { openTestDb, type TestDb } from '../support/db.js';

const NOW = SEED_CLOCK_START;
const DAY = 86_400_000;
const GUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ORDER_ID = /^[0-9a-f]{12}$/;
const CATALOG_ITEM_ID = /^[A-Z0-9]{1,20}:[A-Z0-9]{1,8}$/;

type World = { [K in keyof SeedDocs]: SeedDocs[K][] };

function collect(customers: number, seed: string | number, batchSize?: number, now = NOW): World {
  const world = Object.fromEntries(SEED_COLLECTIONS.map((n) => [n, []])) as unknown as World;
  for (const batch of generateWorld({ customers, seed, now, batchSize })) {
    (world[batch.collection] as unknown[]).push(...batch.docs);
  }
  return world;
}

function firstBatches(seed: string, count: number): WorldBatch[] {
  const out: WorldBatch[] = [];
  for (const batch of generateWorld({ customers: 120, seed, now: NOW, batchSize: 50 })) {
    out.push(batch);
    if (out.length === count) break;
  }
  return out;
}

/** Every `...Cents` value anywhere in a document, with its path. */
function centsValues(value: unknown, path = ''): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => centsValues(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object' || value instanceof Date) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k.endsWith('Cents') ? [[`${path}.${k}`, v] as [string, unknown]] : centsValues(v, `${path}.${k}`),
  );
}

describe('Rng', () => {
  it('repeats its stream for the same seed and changes it for another', () => {
    const a = new Rng('x');
    const b = new Rng('x');
    const c = new Rng('y');
    const seqA = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('makes v4-shaped GUIDs, with a fixed prefix on request, and twelve-hex-digit order IDs', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) expect(rng.guid()).toMatch(GUID_V4);
    expect(rng.guid(0xabc)).toMatch(/^00000abc-/);
    expect(rng.orderId()).toMatch(ORDER_ID);
  });

  it('keeps int within its inclusive bounds and never picks a zero weight', () => {
    const rng = new Rng('bounds');
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(rng.int(3, 5));
    expect([...seen].sort()).toEqual([3, 4, 5]);
    for (let i = 0; i < 200; i++)
      expect(
        rng.weighted([
          ['a', 1],
          ['b', 0],
        ]),
      ).toBe('a');
    expect(() => rng.int(5, 3)).toThrow(/min <= max/);
  });
});

describe('CATALOG', () => {
  it('covers every commerce type, both publishers, both billing types and the three categories', () => {
    expect(new Set(CATALOG.map((o) => o.commerceType))).toEqual(
      new Set(['legacy', 'new_commerce', 'marketplace_saas', 'software', 'reservation']),
    );
    expect(new Set(CATALOG.map((o) => o.publisher))).toEqual(new Set(['microsoft', 'isv']));
    expect(new Set(CATALOG.map((o) => o.billingType))).toEqual(new Set(['license', 'usage']));
    expect(new Set(CATALOG.map((o) => o.category))).toEqual(new Set(['enterprise', 'small_business', 'trial']));
    expect(CATALOG.length).toBeGreaterThanOrEqual(30);
  });

  it('uses unique PRODUCTID:SKUID catalog item IDs and integer-cent prices', () => {
    expect(new Set(CATALOG.map((o) => o._id)).size).toBe(CATALOG.length);
    for (const o of CATALOG) {
      expect(o._id).toMatch(CATALOG_ITEM_ID);
      expect(o._id).toBe(`${o.productId}:${o.skuId}`);
      expect(o.billingPlans.length).toBeGreaterThan(0);
      for (const p of o.billingPlans) expect(Number.isInteger(p.unitPriceCents)).toBe(true);
      expect(o.minQuantity).toBeLessThanOrEqual(o.maxQuantity);
    }
  });

  it('points upgrade targets, trial conversions and add-ons at offers that exist', () => {
    for (const o of CATALOG) {
      for (const id of o.upgradeTargetIds) expect(OFFERS_BY_ID.has(id), `${o._id} upgrades to ${id}`).toBe(true);
      for (const id of o.eligibleAddOnIds) expect(OFFERS_BY_ID.get(id)?.isAddOn, `${o._id} add-on ${id}`).toBe(true);
      if (o.trial) {
        expect(o.trial.days).toBe(30);
        expect(OFFERS_BY_ID.has(o.trial.convertsToOfferId)).toBe(true);
        expect(o.category).toBe('trial');
      }
    }
    expect(CATALOG.filter((o) => o.upgradeTargetIds.length > 0).length).toBeGreaterThanOrEqual(4);
    expect(CATALOG.some((o) => o.onePerCustomer)).toBe(true);
  });

  it('offers every add-on through a base, with every billing plan of its bases (ADDON-ALIGN)', () => {
    for (const addOn of CATALOG.filter((o) => o.isAddOn)) {
      const bases = CATALOG.filter((b) => b.eligibleAddOnIds.includes(addOn._id));
      expect(bases.length, addOn._id).toBeGreaterThan(0);
      for (const base of bases) {
        for (const plan of base.billingPlans) {
          const match = addOn.billingPlans.some((p) => p.billingCycle === plan.billingCycle && p.termDuration === plan.termDuration);
          expect(match, `${addOn._id} lacks ${plan.billingCycle}/${plan.termDuration} of ${base._id}`).toBe(true);
        }
      }
    }
  });

  it('holds ISV offers unavailable for each CAT-UNAVAILABLE reason', () => {
    const isv = CATALOG.filter((o) => o.publisher === 'isv' && o.commerceType === 'marketplace_saas');
    expect(isv.some((o) => o.countries !== null)).toBe(true);
    expect(isv.some((o) => !o.cspAvailable)).toBe(true);
    expect(isv.some((o) => o.exclusivePartnerIds.includes(DEMO_PARTNERS.fabrikam.id))).toBe(true);
    expect(isv.some((o) => !o.transactable)).toBe(true);
  });

  it('holds perpetual and subscription software, SUSE and Red Hat plans, and every reservation type', () => {
    const software = CATALOG.filter((o) => o.commerceType === 'software');
    expect(new Set(software.map((o) => o.softwareKind))).toEqual(new Set(['perpetual', 'subscription']));
    expect(new Set(software.map((o) => o.softwareVendorPlan))).toEqual(new Set([null, 'suse', 'redhat']));
    for (const o of software) expect(o.billingPlans.every((p) => p.billingCycle === 'one_time')).toBe(true);
    const reservations = CATALOG.filter((o) => o.commerceType === 'reservation');
    expect(new Set(reservations.map((o) => o.reservationType))).toEqual(new Set(['virtual_machines', 'sql_database', 'cosmos_db']));
    for (const o of reservations) {
      expect(new Set(o.billingPlans.map((p) => `${p.billingCycle}/${p.termDuration}`))).toEqual(new Set(['one_time/P1Y', 'one_time/P3Y']));
    }
  });
});

describe('generateWorld', () => {
  let world: World;
  let subsById: Map<string, SubscriptionDoc>;

  beforeAll(() => {
    world = collect(300, 'unit');
    subsById = new Map(world.subscriptions.map((s) => [s._id, s]));
  });

  it('yields deep-equal batches for the same seed and different ones for another seed', () => {
    const a = firstBatches('same', 12);
    const b = firstBatches('same', 12);
    expect(a).toHaveLength(12);
    expect(b).toEqual(a);
    const other = firstBatches('other', 12);
    // The partners, catalog and clock are fixed; what the customers bought is not.
    expect(other.slice(0, 3)).toEqual(a.slice(0, 3));
    const tenantDocs = (batches: WorldBatch[]): unknown[] => batches.slice(3).flatMap((x): unknown[] => x.docs);
    expect(tenantDocs(a).length).toBeGreaterThan(0);
    expect(tenantDocs(other)).not.toEqual(tenantDocs(a));
  });

  it('derives every date from now, not from the wall clock', () => {
    const later = new Date(NOW.getTime() + 10 * DAY);
    const shifted = [...generateWorld({ customers: 5, seed: 'clock', now: later })];
    const base = [...generateWorld({ customers: 5, seed: 'clock', now: NOW })];
    const customer = (batches: WorldBatch[]) => batches.find((x) => x.collection === 'customers')!.docs[0] as SeedDocs['customers'];
    expect(customer(shifted).accountOpenedAt.getTime() - customer(base).accountOpenedAt.getTime()).toBe(10 * DAY);
  });

  it('always yields the three demo partners, the catalog and a clock per partner at now (GEN-CLOCK)', () => {
    expect(world.partners.map((p) => p._id).sort()).toEqual(
      Object.values(DEMO_PARTNERS)
        .map((p) => p.id)
        .sort(),
    );
    expect(world.partners.find((p) => p._id === DEMO_PARTNERS.tailspin.id)?.indirectProviderId).toBe(DEMO_PARTNERS.fabrikam.id);
    expect(world.offers).toHaveLength(CATALOG.length);
    expect(world.clock).toEqual(Object.values(DEMO_PARTNERS).map((p) => ({ _id: p.id, now: NOW, version: 0, updatedAt: NOW })));
  });

  it('sells every commerce type from both publishers', () => {
    const bought = [
      ...world.subscriptions.map((s) => s.offerId),
      ...world.softwareOrders.map((s) => s.offerId),
      ...world.reservations.map((r) => r.offerId),
    ].map((id) => OFFERS_BY_ID.get(id)!);
    expect(new Set(bought.map((o) => o.commerceType))).toEqual(
      new Set(['legacy', 'new_commerce', 'marketplace_saas', 'software', 'reservation']),
    );
    expect(new Set(world.subscriptions.map((s) => s.publisher))).toEqual(new Set(['microsoft', 'isv']));
    expect(new Set(world.subscriptions.map((s) => s.billingType))).toEqual(new Set(['license', 'usage']));
  });

  it('holds subscriptions in every status, suspension kind and deletion reason', () => {
    expect(new Set(world.subscriptions.map((s) => s.status))).toEqual(
      new Set(['active', 'suspended', 'deleted', 'expired', 'disabled', 'pending']),
    );
    expect(new Set(world.subscriptions.map((s) => s.suspendedBy))).toEqual(new Set([null, 'partner', 'pause', 'cascade']));
    expect(new Set(world.subscriptions.map((s) => s.deletedReason))).toEqual(
      new Set([null, 'cancelled', 'term_ended', 'upgraded', 'data_deleted']),
    );
    expect(world.subscriptions.some((s) => s.isTrial && s.status === 'active')).toBe(true);
    expect(world.subscriptions.some((s) => s.autoRenewEnabled)).toBe(true);
    expect(world.subscriptions.some((s) => !s.autoRenewEnabled && s.status === 'active')).toBe(true);
    expect(new Set(world.subscriptions.map((s) => s.billingCycle))).toEqual(new Set(['monthly', 'annual', 'triennial', 'none']));
    expect(world.subscriptions.some((s) => s.scheduledNextTermInstructions !== null)).toBe(true);
  });

  it('RES-REFUND-CAP: each customer with reservation refunds in the last 365 days has a cap record of exactly those refunds, net of fees', () => {
    const expected = new Map<string, { reservationId: string; amountCents: number; at: Date }[]>();
    const byReservation = new Map<string, { customerId: string; net: number; at: Date }>();
    for (const e of world.ledger) {
      if (e.source.type !== 'reservation' || (e.kind !== 'refund' && e.kind !== 'fee')) continue;
      const r = byReservation.get(e.source.id) ?? { customerId: e.customerId, net: 0, at: e.at };
      r.net -= e.amountCents;
      if (e.kind === 'refund') r.at = e.at;
      byReservation.set(e.source.id, r);
    }
    for (const [reservationId, r] of byReservation) {
      if (NOW.getTime() - r.at.getTime() >= 365 * DAY || r.net <= 0) continue;
      expected.set(r.customerId, [...(expected.get(r.customerId) ?? []), { reservationId, amountCents: r.net, at: r.at }]);
    }
    expect(expected.size).toBeGreaterThan(0);
    const actual = new Map(world.refundCaps.map((c) => [c._id, c.refunds]));
    expect(new Set(actual.keys())).toEqual(new Set(expected.keys()));
    for (const [customerId, refunds] of expected) {
      const sorted = [...refunds].sort((a, b) => a.at.getTime() - b.at.getTime() || a.reservationId.localeCompare(b.reservationId));
      const got = [...actual.get(customerId)!].sort(
        (a, b) => a.at.getTime() - b.at.getTime() || a.reservationId.localeCompare(b.reservationId),
      );
      expect(got).toEqual(sorted);
    }
  });

  it('seeds no scheduled upgrade and no cancellation at term end', () => {
    for (const s of world.subscriptions) {
      expect(s.scheduledUpgrade, s._id).toBeNull();
      expect(s.cancelAtTermEnd, s._id).toBe(false);
    }
  });

  it('records the reason of every suspension (GEN-REASON) and pauses NCE only (PAUSE-SIDE-EFFECTS)', () => {
    for (const s of world.subscriptions.filter((x) => x.status === 'suspended')) {
      expect(s.suspensionReasons.length, s._id).toBeGreaterThan(0);
      expect(s.suspendedAt).not.toBeNull();
      if (s.suspendedBy === 'pause') {
        expect(s.commerceType).toBe('new_commerce');
        expect(s.autoRenewEnabled).toBe(false);
        expect(s.scheduledNextTermInstructions).toBeNull();
      }
    }
  });

  it('shows suspended legacy subscriptions a data deletion date 90 to 120 days after suspension (SUSP-DATA-DELETION)', () => {
    const suspended = world.subscriptions.filter((s) => s.commerceType === 'legacy' && s.status === 'suspended');
    expect(suspended.length).toBeGreaterThan(0);
    for (const s of suspended) {
      const days = (s.dataDeletionAt!.getTime() - s.suspendedAt!.getTime()) / DAY;
      expect(days).toBeGreaterThanOrEqual(90);
      expect(days).toBeLessThanOrEqual(120);
      expect(s.dataDeletionAt!.getTime()).toBeGreaterThan(NOW.getTime());
    }
    for (const s of world.subscriptions.filter((x) => x.deletedReason === 'data_deleted')) {
      expect(s.deletedAt).toEqual(s.dataDeletionAt);
      expect(s.deletedAt!.getTime()).toBeLessThanOrEqual(NOW.getTime());
    }
  });

  it('ends every add-on with its base, aligned in term, and suspends add-ons of suspended bases (ADDON-ALIGN, ADDON-CASCADE)', () => {
    const addOns = world.subscriptions.filter((s) => s.parentSubscriptionId !== null);
    expect(addOns.length).toBeGreaterThan(10);
    for (const a of addOns) {
      const base = subsById.get(a.parentSubscriptionId!)!;
      expect(base, a._id).toBeDefined();
      expect(OFFERS_BY_ID.get(a.offerId)!.isAddOn).toBe(true);
      expect(OFFERS_BY_ID.get(base.offerId)!.eligibleAddOnIds).toContain(a.offerId);
      expect(a.commitmentEndDate).toEqual(base.commitmentEndDate);
      expect([a.billingCycle, a.termDuration]).toEqual([base.billingCycle, base.termDuration]);
      expect(a.customerId).toBe(base.customerId);
      if (base.status === 'suspended') expect(a.status).toBe('suspended');
      if (a.suspendedBy === 'cascade') expect(a.suspendedAt).toEqual(base.suspendedAt);
    }
    expect(addOns.some((a) => a.suspendedBy === 'cascade')).toBe(true);
    expect(addOns.some((a) => a.suspendedBy === 'partner')).toBe(true);
  });

  it('gives no add-ons to customers of the indirect reseller (ADDON-PARTNER-TYPE)', () => {
    const tailspin = world.subscriptions.filter((s) => s.partnerId === DEMO_PARTNERS.tailspin.id);
    expect(tailspin.length).toBeGreaterThan(0);
    expect(tailspin.filter((s) => s.parentSubscriptionId !== null)).toEqual([]);
  });

  it('gives several contoso customers subscriptions with add-ons', () => {
    const contosoParents = new Set(
      world.subscriptions
        .filter((s) => s.partnerId === DEMO_PARTNERS.contoso.id && s.parentSubscriptionId !== null)
        .map((s) => s.customerId),
    );
    expect(contosoParents.size).toBeGreaterThanOrEqual(5);
    // The demo world's first customers alone (the showcase) already qualify.
    const demo = collect(demoWorldSize, 'demo');
    const demoParents = new Set(
      demo.subscriptions
        .filter((s) => s.partnerId === DEMO_PARTNERS.contoso.id && s.parentSubscriptionId !== null)
        .map((s) => s.customerId),
    );
    expect(demoParents.size).toBeGreaterThanOrEqual(5);
  });

  it('ends every own term at addTerm(start, term), a trial after 30 days, and keeps live terms around now', () => {
    const convertLines = new Set(
      world.orders.flatMap((o) => o.lineItems.filter((l) => l.transactionType === 'convert').map((l) => l.subscriptionId)),
    );
    for (const s of world.subscriptions) {
      const end = s.commitmentEndDate.getTime();
      if (s.isTrial) expect(end - s.effectiveStartDate.getTime()).toBe(30 * DAY);
      else if (s.parentSubscriptionId === null && !convertLines.has(s._id)) {
        expect(end, s._id).toBe(addTerm(s.effectiveStartDate, s.termDuration).getTime());
      }
      expect(s.creationDate.getTime()).toBeLessThanOrEqual(s.effectiveStartDate.getTime());
      expect(s.creationDate.getTime()).toBeLessThanOrEqual(NOW.getTime());
      if (['active', 'suspended', 'pending', 'disabled'].includes(s.status)) {
        expect(s.effectiveStartDate.getTime()).toBeLessThanOrEqual(NOW.getTime());
        expect(end, s._id).toBeGreaterThan(NOW.getTime());
      }
    }
  });

  it('links every upgrade target to its source, which ended upgraded on the same term end (UPG-FULL, UPG-SAME-END)', () => {
    const upgradedSources = world.subscriptions.filter((s) => s.deletedReason === 'upgraded');
    const targets = world.subscriptions.filter((s) => s.upgradedFromSubscriptionId !== null);
    expect(upgradedSources.length).toBeGreaterThan(0);
    expect(targets.map((t) => t.upgradedFromSubscriptionId).sort()).toEqual(upgradedSources.map((s) => s._id).sort());
    for (const target of targets) {
      const source = subsById.get(target.upgradedFromSubscriptionId!)!;
      expect(target.commitmentEndDate).toEqual(source.commitmentEndDate);
      expect(target.customerId).toBe(source.customerId);
      expect(target.effectiveStartDate).toEqual(source.deletedAt);
    }
  });

  it('clamps addTerm to the end of a shorter month', () => {
    expect(addTerm(new Date('2026-01-31T10:00:00Z'), 'P1M').toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addTerm(new Date('2024-02-29T00:00:00Z'), 'P1Y').toISOString()).toBe('2025-02-28T00:00:00.000Z');
    expect(addTerm(new Date('2026-11-01T09:00:00Z'), 'P3Y').toISOString()).toBe('2029-11-01T09:00:00.000Z');
  });

  it('starts subscriptions within 24 hours, 14 days and 30 days of now, so every cancellation window is open somewhere', () => {
    const ages = world.subscriptions.map((s) => NOW.getTime() - s.effectiveStartDate.getTime());
    expect(ages.some((a) => a < DAY)).toBe(true);
    expect(ages.some((a) => a > DAY && a < 14 * DAY)).toBe(true);
    expect(ages.some((a) => a > 14 * DAY && a < 30 * DAY)).toBe(true);
    const created = world.subscriptions.map((s) => NOW.getTime() - s.creationDate.getTime());
    expect(Math.max(...created)).toBeGreaterThan(2 * 365 * DAY);
  });

  it('keeps every quantity within its offer bounds and every plan in its offer', () => {
    for (const s of world.subscriptions) {
      const offer = OFFERS_BY_ID.get(s.offerId)!;
      expect(s.quantity, s._id).toBeGreaterThanOrEqual(offer.minQuantity);
      expect(s.quantity, s._id).toBeLessThanOrEqual(offer.maxQuantity);
      expect(offer.billingPlans.some((p) => p.billingCycle === s.billingCycle && p.termDuration === s.termDuration)).toBe(true);
    }
    for (const r of world.reservations) {
      const offer = OFFERS_BY_ID.get(r.offerId)!;
      expect(r.quantity).toBeGreaterThanOrEqual(offer.minQuantity);
      expect(r.quantity).toBeLessThanOrEqual(offer.maxQuantity);
    }
  });

  it('keeps every money value an integer number of cents (MONEY-EXACT)', () => {
    let checked = 0;
    for (const name of SEED_COLLECTIONS) {
      for (const doc of world[name]) {
        for (const [path, value] of centsValues(doc)) {
          checked++;
          expect(Number.isSafeInteger(value), `${name}${path} = ${String(value)}`).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('gives every tenant-owned document the partnerId of its customer (ROLE-TENANT)', () => {
    const partnerOf = new Map(world.customers.map((c) => [c._id, c.partnerId]));
    const owned = [...world.subscriptions, ...world.orders, ...world.softwareOrders, ...world.reservations, ...world.ledger];
    for (const doc of owned) expect(doc.partnerId, doc._id).toBe(partnerOf.get(doc.customerId));
    expect(new Set(world.customers.map((c) => c.partnerId))).toEqual(new Set(Object.values(DEMO_PARTNERS).map((p) => p.id)));
  });

  it('gives each customer 1 to 6 subscriptions, about 4 on average', () => {
    const perCustomer = new Map<string, number>();
    for (const s of world.subscriptions) perCustomer.set(s.customerId, (perCustomer.get(s.customerId) ?? 0) + 1);
    expect(perCustomer.size).toBe(world.customers.length);
    for (const n of perCustomer.values()) {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(6);
    }
    const average = world.subscriptions.length / world.customers.length;
    expect(average).toBeGreaterThan(3.2);
    expect(average).toBeLessThan(4.8);
  });

  it('makes unique onmicrosoft.com domains and lower-cased search copies', () => {
    expect(new Set(world.customers.map((c) => c.domainLower)).size).toBe(world.customers.length);
    for (const c of world.customers) {
      expect(c._id).toMatch(GUID_V4);
      expect(c.domain).toMatch(/^[a-z]+[0-9]+\.onmicrosoft\.com$/);
      expect(c.domainLower).toBe(c.domain.toLowerCase());
      expect(c.companyNameLower).toBe(c.companyName.toLowerCase());
      const toFirstBilling = (c.firstBillingAt.getTime() - c.accountOpenedAt.getTime()) / DAY;
      expect(toFirstBilling).toBeGreaterThanOrEqual(0);
      expect(toFirstBilling).toBeLessThanOrEqual(45);
    }
    const countries = new Set(world.customers.map((c) => c.billingCountry));
    for (const country of ['AU', 'BR', 'CN', 'US']) expect(countries).toContain(country);
  });

  it('prices AU and BR customers tax-inclusive and no others (PRICE-TAX)', () => {
    const countryOf = new Map(world.customers.map((c) => [c._id, c.billingCountry]));
    for (const o of [...world.orders, ...world.softwareOrders]) {
      expect(o.pricesIncludeTax).toBe(['AU', 'BR'].includes(countryOf.get(o.customerId)!));
    }
  });

  it('links every subscription to its order line, with unique order IDs', () => {
    const orders = new Map(world.orders.map((o) => [o._id, o]));
    for (const s of world.subscriptions) {
      const order = orders.get(s.orderId);
      expect(order, s._id).toBeDefined();
      expect(order!.lineItems.some((l) => l.subscriptionId === s._id)).toBe(true);
      expect(order!.creationDate).toEqual(s.orderedAt);
    }
    for (const r of world.reservations) {
      expect(world.orders.some((o) => o.lineItems.some((l) => l.reservationId === r._id))).toBe(true);
    }
    const ids = [...world.orders.map((o) => o._id), ...world.softwareOrders.map((o) => o._id)];
    for (const id of ids) expect(id).toMatch(ORDER_ID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of world.orders) {
      expect(o.totalPriceCents).toBe(o.lineItems.reduce((sum, l) => sum + l.totalPriceCents, 0));
      expect(o.lineItems.map((l) => l.lineItemNumber)).toEqual(o.lineItems.map((_, i) => i));
    }
  });

  it('charges the ledger for every paid order line and refunds cancellations', () => {
    const charged = new Set(world.ledger.filter((l) => l.amountCents > 0 && l.orderId !== null).map((l) => `${l.orderId}/${l.source.id}`));
    for (const o of world.orders) {
      for (const line of o.lineItems) {
        const sourceId = line.subscriptionId ?? line.reservationId!;
        const sub = line.subscriptionId ? subsById.get(line.subscriptionId) : undefined;
        if (line.totalPriceCents > 0 && sub?.status !== 'pending')
          expect(charged.has(`${o._id}/${sourceId}`), `${o._id}/${sourceId}`).toBe(true);
      }
    }
    const refunds = world.ledger.filter((l) => l.amountCents < 0);
    for (const rule of ['CANCEL-NCE-24H', 'CANCEL-NCE-30D', 'SW-POST-CANCEL']) {
      expect(
        refunds.some((l) => l.ruleId === rule),
        rule,
      ).toBe(true);
    }
    const cancelledNce = world.subscriptions.filter((s) => s.commerceType === 'new_commerce' && s.deletedReason === 'cancelled');
    for (const s of cancelledNce) {
      expect(s.deletedAt!.getTime() - s.effectiveStartDate.getTime()).toBeLessThan(30 * DAY); // CANCEL-NCE-AFTER
    }
  });

  it('computes NCE refunds and prorated charges with the rule maths of src/policy (MONEY-PRORATE)', () => {
    const byRule = (rule: string) => world.ledger.filter((l) => l.ruleId === rule);
    // CANCEL-NCE-30D: charged - term price x days used / days in term.
    expect(byRule('CANCEL-NCE-30D').length).toBeGreaterThan(0);
    for (const l of byRule('CANCEL-NCE-30D')) {
      const s = subsById.get(l.source.id)!;
      const refund = proratedRefund({
        chargedCents: s.chargedCents,
        termPriceCents: s.unitPriceCents * s.quantity,
        termStart: s.effectiveStartDate,
        termEnd: s.commitmentEndDate,
        at: s.deletedAt!,
      });
      expect(l.amountCents, s._id).toBe(-refund);
    }
    // UPG-SAME-END and ADDON-ALIGN: unit price x quantity x days remaining / days in term.
    const prorated = world.ledger.filter((l) => l.ruleId === 'UPG-SAME-END' || l.ruleId === 'ADDON-ALIGN');
    expect(new Set(prorated.map((l) => l.ruleId))).toEqual(new Set(['UPG-SAME-END', 'ADDON-ALIGN']));
    for (const l of prorated) {
      const s = subsById.get(l.source.id)!;
      // The term the charge is prorated over: the add-on's base's, or the upgrade source's.
      const origin = subsById.get((l.ruleId === 'ADDON-ALIGN' ? s.parentSubscriptionId : s.upgradedFromSubscriptionId)!)!;
      const charge = proratedCharge({
        unitPriceCents: s.unitPriceCents,
        quantity: s.quantity,
        termStart: origin.effectiveStartDate,
        termEnd: s.commitmentEndDate,
        at: s.orderedAt,
        // BILL-MONTHLY: on a term billed monthly, to the end of the origin's billing month then.
        billedUntil: billedUntilAt(s, origin.effectiveStartDate.getTime(), s.commitmentEndDate.getTime(), s.orderedAt.getTime()),
      });
      expect(l.amountCents, s._id).toBe(charge);
    }
  });

  it('leaves marketplace subscriptions awaiting fulfilment pending and uncharged (CAT-ISV-FULFILMENT, CAT-ISV-LINK)', () => {
    const saas = world.subscriptions.filter((s) => s.commerceType === 'marketplace_saas');
    const waiting = saas.filter((s) => s.fulfilment?.status === 'action_needed');
    expect(waiting.length).toBeGreaterThan(0);
    expect(saas.some((s) => s.fulfilment?.status === 'fulfilled')).toBe(true);
    for (const s of waiting) {
      expect(s.status).toBe('pending');
      expect(s.chargedCents).toBe(0);
      expect(world.ledger.some((l) => l.source.id === s._id)).toBe(false);
    }
    // CAT-ISV-LINK: the link a live purchase gets, from the policy.
    for (const s of saas)
      expect(s.fulfilment!.activationLink).toBe(activationLink(OFFERS_BY_ID.get(s.offerId)!, s.fulfilment!.authorizationCode));
    for (const s of world.subscriptions.filter((x) => x.commerceType !== 'marketplace_saas')) expect(s.fulfilment).toBeNull();
  });

  it('issues only MAK keys, revoked on cancelled software orders (SW-MAK, SW-POST-CANCEL)', () => {
    const keys = world.softwareOrders.flatMap((o) => o.keys);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k.keyType).toBe('MAK');
    for (const o of world.softwareOrders.filter((x) => x.status === 'cancelled')) {
      expect(o.softwareVendorPlan).toBeNull(); // SW-CANCEL-EXCLUDED
      expect(o.keys.every((k) => k.revoked)).toBe(true);
      expect(o.cancellationVisibleAt!.getTime() - o.cancelledAt!.getTime()).toBe(15 * 60_000); // SW-CANCEL-DELAY
      expect(o.cancelledAt!.getTime() - o.purchasedAt.getTime()).toBeLessThan(30 * DAY); // SW-CANCEL-30D
    }
  });

  it('CANCEL-NCE-24H, CANCEL-NCE-30D, CANCEL-ISV-MONTHLY, CANCEL-ISV-ANNUAL, CANCEL-ISV-USAGE: every seeded cancellation refunds what cancelTerms decides just before it', () => {
    const cancelled = world.subscriptions.filter((s) => s.deletedReason === 'cancelled');
    const rules = new Set<string>();
    for (const s of cancelled) {
      const terms = cancelTerms({ ...s, status: 'active', deletedReason: null, deletedAt: null }, s.deletedAt!);
      if ('allowed' in terms) throw new Error(`${s._id}: the policy refuses its cancellation: ${terms.message}`);
      expect(terms.mode, s._id).toBe('immediate');
      rules.add(terms.rule);
      const refunds = world.ledger.filter((l) => l.source.id === s._id && l.kind === 'refund');
      expect(
        refunds.map((l) => [l.amountCents, l.ruleId, l.at]),
        s._id,
      ).toEqual(terms.refundCents > 0 ? [[-terms.refundCents, terms.rule, s.deletedAt]] : []);
    }
    expect(rules).toEqual(new Set(['CANCEL-NCE-24H', 'CANCEL-NCE-30D', 'CANCEL-ISV-MONTHLY', 'CANCEL-ISV-ANNUAL', 'CANCEL-ISV-USAGE']));
  });

  it('SUSP-DATA-DELETION: every seeded deletion date is dataDeletionDate of the customer and the suspension', () => {
    const customers = new Map(world.customers.map((c) => [c._id, c]));
    const withDate = world.subscriptions.filter((s) => s.dataDeletionAt !== null && s.suspendedBy === 'partner');
    expect(withDate.length).toBeGreaterThan(0);
    for (const s of withDate) expect(s.dataDeletionAt, s._id).toEqual(dataDeletionDate(customers.get(s.customerId)!, s.suspendedAt!));
  });

  it('UPG-FULL: an upgraded source is credited upgradeCredit of all its licences', () => {
    const credits = world.ledger.filter((l) => l.ruleId === 'UPG-FULL');
    expect(credits.length).toBeGreaterThan(0);
    for (const l of credits) {
      const source = subsById.get(l.source.id)!;
      expect(l.amountCents, source._id).toBe(-upgradeCredit(source, source.quantity, source.deletedAt!));
    }
  });

  it("RES-REFUND-TABLE, RES-EXCHANGE: seeded reservation refunds, fees and exchange credits are the policy's", () => {
    const big = collect(1500, 'reservations');
    const entries = (id: string, kind: string) => big.ledger.filter((l) => l.source.id === id && l.kind === kind).map((l) => l.amountCents);
    const cancelled = big.reservations.filter((r) => r.status === 'cancelled');
    const exchanged = big.reservations.filter((r) => r.status === 'exchanged');
    expect(cancelled.length).toBeGreaterThan(0);
    expect(exchanged.length).toBeGreaterThan(0);
    for (const r of cancelled) {
      const terms = reservationRefundTerms({ ...r, status: 'active', cancelledAt: null }, r.cancelledAt!);
      expect(entries(r._id, 'refund'), r._id).toEqual(terms.amountBeforeFeeCents > 0 ? [-terms.amountBeforeFeeCents] : []);
      expect(entries(r._id, 'fee'), r._id).toEqual(terms.feeCents > 0 ? [terms.feeCents] : []);
    }
    const byId = new Map(big.reservations.map((r) => [r._id, r]));
    for (const r of exchanged) {
      const credit = exchangeCredit(r, r.cancelledAt!);
      expect(entries(r._id, 'credit'), r._id).toEqual(credit > 0 ? [-credit] : []);
      const fresh = byId.get(r.exchangedForReservationId!)!;
      expect(fresh.exchangedFromReservationId, r._id).toBe(r._id);
      expect(fresh.reservationType).toBe(r.reservationType);
      expect(fresh.priceCents).toBeGreaterThanOrEqual(credit);
    }
  });

  it('sells no reservations to customers in unavailable markets (RES-MARKETS)', () => {
    const countryOf = new Map(world.customers.map((c) => [c._id, c.billingCountry]));
    expect(world.reservations.length).toBeGreaterThan(0);
    expect(world.customers.some((c) => !reservationsAvailableIn(c.billingCountry))).toBe(true);
    for (const r of world.reservations) expect(reservationsAvailableIn(countryOf.get(r.customerId)!), r._id).toBe(true);
    expect(new Set(world.reservations.map((r) => r.status))).toContain('active');
  });

  it('streams batches of at most batchSize documents, customers before the end', () => {
    const batches = [...generateWorld({ customers: 200, seed: 'small', now: NOW, batchSize: 64 })];
    for (const batch of batches.filter((b) => b.collection !== 'offers')) expect(batch.docs.length).toBeLessThanOrEqual(64);
    expect(batches.some((b) => b.customersDone > 0 && b.customersDone < 200)).toBe(true);
    expect(batches.at(-1)!.customersDone).toBe(200);
  });

  it('rejects a negative or fractional number of customers', () => {
    expect(() => generateWorld({ customers: -1, seed: 1, now: NOW }).next()).toThrow(/customers must be an integer/);
    expect(() => generateWorld({ customers: 1.5, seed: 1, now: NOW }).next()).toThrow(/customers must be an integer/);
  });
});

describe('seedWorld', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await openTestDb('seed');
  });

  afterAll(async () => {
    await db?.close();
  });

  it('writes a 50-customer world whose counts by collection match what it reports', async () => {
    const progress: SeedProgress[] = [];
    const result = await seedWorld(db.collections, { customers: 50, seed: 'write', batchSize: 100, onProgress: (p) => progress.push(p) });
    const expected = collect(50, 'write');
    for (const name of SEED_COLLECTIONS) {
      expect(result.counts[name], name).toBe(expected[name].length);
      expect(await db.collections[name].countDocuments({}), name).toBe(expected[name].length);
    }
    expect(result.counts.customers).toBe(50);
    expect(result.counts.partners).toBe(3);
    expect(result.counts.clock).toBe(3);
    for (const p of Object.values(DEMO_PARTNERS)) {
      expect(await db.collections.clock.findOne({ _id: p.id }), p.name).toEqual({
        _id: p.id,
        now: SEED_CLOCK_START,
        version: 0,
        updatedAt: SEED_CLOCK_START,
      });
    }
    expect(progress.at(-1)).toMatchObject({ customersDone: 50, customersTotal: 50 });
    const sample = await db.collections.subscriptions.findOne({ _id: expected.subscriptions[7]!._id });
    expect(sample).toEqual(expected.subscriptions[7]);
  });

  it('holds the unique domain index: a second customer with a taken domain is refused', async () => {
    const existing = (await db.collections.customers.findOne({}))!;
    const copy = { ...existing, _id: '00000000-0000-4000-8000-000000000001' };
    await expect(db.collections.customers.insertOne(copy)).rejects.toMatchObject({ code: 11000 });
  });
});

describe('seedDemoIfEmpty', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await openTestDb('demo');
  });

  afterAll(async () => {
    await db?.close();
  });

  it('seeds the demo world into an empty database once, then leaves it alone', async () => {
    const log = createMemoryLogger();
    expect(await seedDemoIfEmpty(db.collections, log)).toBe(true);
    expect(await db.collections.customers.countDocuments({})).toBe(demoWorldSize);
    for (const p of Object.values(DEMO_PARTNERS)) {
      expect(await db.collections.clock.findOne({ _id: p.id }), p.name).toMatchObject({ now: SEED_CLOCK_START, version: 0 });
    }
    expect(log.lines.some((l) => l.area === 'seed' && l.message.includes('demo'))).toBe(true);
    expect(await seedDemoIfEmpty(db.collections, log)).toBe(false);
    expect(await db.collections.customers.countDocuments({})).toBe(demoWorldSize);
  });
});

describe('seedDemoIfEmpty next to an existing clock', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await openTestDb('democlock');
  });

  afterAll(async () => {
    await db?.close();
  });

  it("derives the demo world's dates from the Contoso partner's clock and leaves that clock as it was (GEN-CLOCK)", async () => {
    const now = new Date('2027-03-15T12:00:00.000Z');
    const wall = new Date('2026-01-01T00:00:00.000Z');
    await db.collections.clock.insertOne({ _id: DEMO_PARTNERS.contoso.id, now, version: 7, updatedAt: wall });
    expect(await seedDemoIfEmpty(db.collections, createMemoryLogger())).toBe(true);
    expect(await db.collections.clock.findOne({ _id: DEMO_PARTNERS.contoso.id })).toEqual({
      _id: DEMO_PARTNERS.contoso.id,
      now,
      version: 7,
      updatedAt: wall,
    });
    for (const p of [DEMO_PARTNERS.fabrikam, DEMO_PARTNERS.tailspin]) {
      expect(await db.collections.clock.findOne({ _id: p.id }), p.name).toEqual({ _id: p.id, now, version: 0, updatedAt: now });
    }
    const expected = collect(demoWorldSize, 'demo', undefined, now);
    const first = expected.customers[0]!;
    expect(await db.collections.customers.findOne({ _id: first._id })).toEqual(first);
  });
});

describe('generateWorld for a sandbox\'s partner (docs/sandboxes.md, "Templates")', () => {
  const sandboxPartner = (id: string, partnerType: PartnerDoc['partnerType'] = 'direct_bill'): PartnerDoc => ({
    _id: id,
    name: 'Sandbox',
    partnerType,
    mpnId: `sandbox-${id}`,
    indirectProviderId: null,
    createdAt: NOW,
    sandboxAdminId: DEMO_PARTNERS.contoso.id,
  });
  const A = sandboxPartner('0b5e0000-0000-4000-8000-00000000000a');
  const B = sandboxPartner('0b5e0000-0000-4000-8000-00000000000b');

  function collectFor(partner: PartnerDoc, customers: number, seed: string, now = NOW): World {
    const world = Object.fromEntries(SEED_COLLECTIONS.map((n) => [n, []])) as unknown as World;
    for (const batch of generateWorld({ customers, seed, now, partner, batchSize: 97 })) {
      (world[batch.collection] as unknown[]).push(...batch.docs);
    }
    return world;
  }

  /** The world as JSON with every GUID and order ID replaced by its order of first appearance. */
  function withoutIds(world: World): string {
    const seen = new Map<string, string>();
    const token = (id: string) => seen.get(id) ?? (seen.set(id, `#${seen.size}`), `#${seen.size - 1}`);
    return JSON.stringify(world)
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, token)
      .replace(/\b[0-9a-f]{12}\b/g, token);
  }

  /** Every `_id`, by collection (a refund-cap record shares its customer's). */
  function allIds(world: World): string[] {
    return SEED_COLLECTIONS.flatMap((n) => (world[n] as { _id: string }[]).map((d) => `${n}/${d._id}`));
  }

  it("yields tenant documents only, every one the sandbox partner's, its customers in the sandbox's domain realm", () => {
    const world = collectFor(A, 60, 'tenant');
    expect([world.partners, world.offers, world.clock]).toEqual([[], [], []]);
    expect(world.customers).toHaveLength(60);
    const owned = [...world.customers, ...world.subscriptions, ...world.orders, ...world.ledger, ...world.refundCaps];
    for (const doc of [...owned, ...world.softwareOrders, ...world.reservations]) expect(doc.partnerId).toBe(A._id);
    for (const c of world.customers) expect(c.domainRealm).toBe(A._id);
    // The demo partners' customers share one realm: an explicit null (CustomerDoc.domainRealm).
    expect(collect(10, 'tenant').customers.filter((c) => c.domainRealm !== null)).toEqual([]);
  });

  it('gives two sandboxes of one seed the same world but for its IDs, none of which they share', () => {
    const a = collectFor(A, 80, 'same');
    const b = collectFor(B, 80, 'same');
    expect(withoutIds(b)).toBe(withoutIds(a));
    expect(b.customers.map((c) => c.companyName)).toEqual(a.customers.map((c) => c.companyName));
    expect(b.ledger.map((l) => l.amountCents)).toEqual(a.ledger.map((l) => l.amountCents));
    const idsOfA = new Set(allIds(a));
    expect(idsOfA.size).toBe(allIds(a).length);
    expect(allIds(b).filter((id) => idsOfA.has(id))).toEqual([]);
    // The same sandbox and seed again: the same IDs too.
    expect(collectFor(A, 80, 'same')).toEqual(a);
    expect(withoutIds(collectFor(A, 80, 'other'))).not.toBe(withoutIds(a));
  });

  it("gives a sandbox of the demo seed the demo world's companies and domains, dated from the sandbox's clock", () => {
    const later = new Date(NOW.getTime() + 100 * DAY);
    const demo = collect(demoWorldSize, 'demo');
    const sandbox = collectFor(A, demoWorldSize, 'demo', later);
    expect(sandbox.customers.map((c) => [c.companyName, c.domain])).toEqual(demo.customers.map((c) => [c.companyName, c.domain]));
    expect(sandbox.customers[0]!.accountOpenedAt.getTime() - demo.customers[0]!.accountOpenedAt.getTime()).toBe(100 * DAY);
  });

  it('ADDON-PARTNER-TYPE: an indirect reseller sandbox gets no add-ons; a direct-bill one does', () => {
    const addOns = (world: World) => world.subscriptions.filter((s) => s.parentSubscriptionId !== null).length;
    expect(addOns(collectFor(sandboxPartner(A._id, 'indirect_reseller'), 40, 'demo'))).toBe(0);
    expect(addOns(collectFor(A, 40, 'demo'))).toBeGreaterThan(0);
  });
});

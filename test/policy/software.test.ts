import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OfferDoc, PartnerRole, SoftwareOrderDoc } from '../../src/db/documents.js';
import type { InsertEffect } from '../../src/policy/effects.js';
import { RULES } from '../../src/policy/rules.js';
import {
  cancellationVisibleAt,
  checkActivityLogRange,
  checkActivityLogRole,
  decideCancelSoftware,
  decideGetKey,
  decidePurchaseSoftware,
  isCancellationPending,
  listedKeys,
  makFromToken,
  softwareAllowedActions,
  softwareCancelInfo,
  softwareCredit,
  visibleStatus,
  type KeyChoice,
} from '../../src/policy/software.js';
import { CATALOG, OFFER_IDS } from '../../src/seed/catalog.js';
import {
  allowed,
  anActor,
  at,
  contoso,
  customer,
  CUSTOMER_ID,
  DAY,
  HOUR,
  ids,
  kinds,
  ledger,
  MINUTE,
  refused,
  SECOND,
  T0,
} from './harness.js';

/*
 * Software purchases (SW-*), decided from plain documents at exact instants: T0 is
 * 2026-11-01T09:00Z; a one-year software subscription bought then ends 2027-11-01T09:00Z, 365 days
 * later. Prices are the catalog's (src/seed/catalog.ts): Windows Server 2022 Datacenter 6155.00,
 * SQL Server 2022 Standard 1-year subscription 1870.00, Office LTSC 439.00 (x64 and x86).
 */

/** 29 days 23:59:59.999 after the purchase: the last instant of the 30-day window. */
const LAST_30D = 29 * DAY + 23 * HOUR + 59 * MINUTE + 59 * SECOND + 999;
const DELAY = 15 * MINUTE;

const offer = (id: string): OfferDoc => structuredClone(CATALOG.find((o) => o._id === id)!);
const WINDOWS = offer(OFFER_IDS.windowsServer2022Datacenter);
const SQL_SUB = offer(OFFER_IDS.sqlServer2022StandardSub1Y);
const OFFICE = offer(OFFER_IDS.officeLtscProPlus2021);
const SUSE = offer(OFFER_IDS.suseSles1Y);
const RHEL = offer(OFFER_IDS.rhel1Y);

const admin = anActor(['admin_agent']);
const globalAdmin = anActor(['global_admin']);

function buy(o: OfferDoc, quantity = 2, overrides: { country?: string; roles?: PartnerRole[]; languages?: string[]; now?: Date } = {}) {
  return decidePurchaseSoftware({
    customer: customer({ billingCountry: overrides.country ?? 'US' }),
    partner: contoso,
    offer: o,
    quantity,
    languages: overrides.languages,
    actor: anActor(overrides.roles ?? ['admin_agent']),
    now: overrides.now ?? T0,
    ids,
  });
}

/** A software order bought at T0 through the policy itself. */
function order(o: OfferDoc, quantity = 2, languages?: string[]): SoftwareOrderDoc {
  return allowed(buy(o, quantity, { languages })).order;
}

const cancel = ({
  o,
  now,
  roles = ['admin_agent'],
  customerRef,
  delayMs = DELAY,
}: {
  o: SoftwareOrderDoc;
  now: Date;
  roles?: PartnerRole[];
  customerRef?: string;
  delayMs?: number;
}) => decideCancelSoftware({ order: o, customer: customer(), customerRef, actor: anActor(roles), now, delayMs });

const choice = (o: SoftwareOrderDoc, overrides: Partial<KeyChoice> = {}): KeyChoice => ({
  productVersion: o.keys[0]!.productVersion,
  language: 'en-us',
  bitness: 'x64',
  keyType: 'MAK',
  ...overrides,
});

const getKey = (
  o: SoftwareOrderDoc,
  c: KeyChoice = choice(o),
  roles: PartnerRole[] = ['admin_agent'],
  activity: 'view_key' | 'download' = 'view_key',
) => decideGetKey({ order: o, choice: c, activity, actor: anActor(roles), now: at(HOUR), ids });

/** The order after its cancellation's update. */
function cancelled(o: SoftwareOrderDoc, now: Date): SoftwareOrderDoc {
  const d = allowed(cancel({ o, now }));
  const update = d.effects.find((e) => e.kind === 'update')!;
  return { ...o, ...(update as { set: Partial<SoftwareOrderDoc> }).set, version: o.version + 1 };
}

describe('buying software (SW-PRICE, PRICE-TAX, SW-KEYS)', () => {
  it('SW-PRICE: a software order costs the plan price times the quantity, charged in full to the ledger against the software order', () => {
    const d = allowed(buy(WINDOWS, 3));
    expect(d.amountCents).toBe(3 * 615_500);
    expect(d.order).toMatchObject({
      _id: 'order-0',
      customerId: CUSTOMER_ID,
      offerId: WINDOWS._id,
      productName: WINDOWS.name,
      softwareKind: 'perpetual',
      softwareVendorPlan: null,
      quantity: 3,
      purchasedAt: T0,
      termEndDate: null,
      status: 'active',
      cancelledAt: null,
      cancellationVisibleAt: null,
      amountCents: 1_846_500,
      currency: 'USD',
      pricesIncludeTax: false,
      version: 0,
    });
    expect(kinds(d.effects)).toEqual(['insert', 'ledger', 'audit']);
    expect(ledger(d.effects)).toEqual([
      expect.objectContaining({
        amountCents: 1_846_500,
        kind: 'charge',
        source: { type: 'software_order', id: 'order-0' },
        orderId: 'order-0',
        ruleId: 'SW-PRICE',
        at: T0,
      }),
    ]);
  });

  it.each([
    ['US', false],
    ['GB', false],
    ['AU', true],
    ['BR', true],
  ])('SW-PRICE, PRICE-TAX: a customer billed in %s gets prices that include tax: %s', (country, included) => {
    const d = allowed(buy(WINDOWS, 1, { country }));
    expect(d.pricesIncludeTax).toBe(included);
    expect(d.order.pricesIncludeTax).toBe(included);
    expect(d.amountCents).toBe(615_500);
  });

  it('SW-POST-CANCEL: a software subscription ends one term after its purchase; perpetual software has no term end', () => {
    expect(allowed(buy(SQL_SUB)).order).toMatchObject({ softwareKind: 'subscription', termEndDate: new Date('2027-11-01T09:00:00.000Z') });
    expect(allowed(buy(WINDOWS)).order.termEndDate).toBeNull();
  });

  it('SW-KEYS, SW-MAK: one MAK per product version, language and bitness (Office in 64 and 32 bits), with a download link each', () => {
    const o = order(OFFICE, 1, ['en-us', 'nl-nl']);
    expect(o.keys.map((k) => [k.productVersion, k.language, k.bitness, k.keyType, k.revoked])).toEqual([
      ['Office LTSC Professional Plus 2021', 'en-us', 'x64', 'MAK', false],
      ['Office LTSC Professional Plus 2021', 'en-us', 'x86', 'MAK', false],
      ['Office LTSC Professional Plus 2021', 'nl-nl', 'x64', 'MAK', false],
      ['Office LTSC Professional Plus 2021', 'nl-nl', 'x86', 'MAK', false],
    ]);
    for (const k of o.keys) expect(k.productKey).toMatch(/^[BCDFGHJKMPQRTVWXY2346789]{5}(-[BCDFGHJKMPQRTVWXY2346789]{5}){4}$/);
    expect(new Set(o.keys.map((k) => k.productKey)).size).toBe(4);
    expect(o.keys[3]!.downloadUrl).toBe(
      'https://download.partner-center.example/software/order-0/office_ltsc_professional_plus_2021_nl-nl_x86.iso',
    );
    expect(order(WINDOWS).keys.map((k) => `${k.productVersion} ${k.language} ${k.bitness}`)).toEqual([
      'Windows Server 2022 Datacenter en-us x64',
    ]);
  });

  it('SW-KEYS: keys derive from the operation, so deciding again (a replay) names the same keys', () => {
    expect(order(OFFICE).keys).toEqual(order(OFFICE).keys);
    expect(makFromToken('abc')).toBe(makFromToken('abc'));
    expect(makFromToken('abc')).not.toBe(makFromToken('abd'));
  });

  it('SW-KEYS: SUSE and Red Hat plans carry no Microsoft key: they register with their vendor', () => {
    expect(order(SUSE).keys).toEqual([]);
    expect(order(RHEL).keys).toEqual([]);
  });

  it.each([
    [[], 'languages'],
    [['EN-US'], 'languages.0'],
    [['en-us', 'english'], 'languages.1'],
    [['en-us', 'en-us'], 'languages'],
  ])('SW-KEYS: the key languages %j are refused, naming %s', (languages, field) => {
    expect(refused(buy(WINDOWS, 1, { languages }))).toMatchObject({ rule: 'SW-KEYS', code: 'INVALID_VALUE', field });
  });

  it('ROLE-SOFTWARE: admin agents and global admins may buy software; a billing admin or sales agent may not (ROLE_NOT_ALLOWED)', () => {
    expect(allowed(buy(WINDOWS, 1, { roles: ['global_admin'] })).order.quantity).toBe(1);
    for (const roles of [['billing_admin'], ['sales_agent'], []] as PartnerRole[][]) {
      expect(refused(buy(WINDOWS, 1, { roles }))).toMatchObject({ rule: 'ROLE-SOFTWARE', code: 'ROLE_NOT_ALLOWED' });
    }
  });

  it('CAT-FILTER: software outside the customer segment is refused (SQL Server is not sold to government customers)', () => {
    const sql = offer(OFFER_IDS.sqlServer2022Standard);
    const d = decidePurchaseSoftware({
      customer: customer({ segment: 'government' }),
      partner: contoso,
      offer: sql,
      quantity: 1,
      actor: admin,
      now: T0,
      ids,
    });
    expect(refused(d)).toMatchObject({ rule: 'CAT-FILTER', code: 'NOT_ELIGIBLE', field: 'offerId' });
  });

  it('CAT-CART: the quantity is bounded by the offer (1 to 500 for Windows Server); a subscription offer is not software', () => {
    expect(refused(buy(WINDOWS, 0))).toMatchObject({ rule: 'CAT-CART', code: 'LIMIT_EXCEEDED', field: 'quantity' });
    expect(refused(buy(WINDOWS, 501))).toMatchObject({ rule: 'CAT-CART', code: 'LIMIT_EXCEEDED', field: 'quantity' });
    expect(allowed(buy(WINDOWS, 500)).amountCents).toBe(500 * 615_500);
    expect(refused(buy(offer(OFFER_IDS.m365BusinessBasic)))).toMatchObject({ rule: 'CAT-CART', code: 'NOT_SUPPORTED', field: 'offerId' });
  });
});

describe('keys and downloads (SW-KEYS, SW-MAK, SW-ACTIVITY-LOG)', () => {
  it('SW-KEYS: an admin agent gets the key of a product version, language and bitness, its download link and a copyable link', () => {
    const o = order(OFFICE, 1, ['en-us', 'de-de']);
    const d = allowed(getKey(o, choice(o, { language: 'de-de', bitness: 'x86' })));
    expect(d.key).toEqual(o.keys[3]);
    expect(d.key.downloadUrl).toContain('_de-de_x86.iso');
    expect(d.copyLink).toBe(`${d.key.downloadUrl}?share=tok-0`);
  });

  it('SW-ACTIVITY-LOG: every view and download inserts one activity record: who, what, when', () => {
    const o = order(WINDOWS);
    for (const activity of ['view_key', 'download'] as const) {
      const d = allowed(getKey(o, choice(o), ['admin_agent'], activity));
      const inserts = d.effects.filter((e): e is InsertEffect => e.kind === 'insert');
      expect(inserts.map((e) => e.collection)).toEqual(['softwareActivity']);
      expect(inserts[0]!.doc).toEqual({
        _id: 'act-tok-0',
        partnerId: o.partnerId,
        customerId: CUSTOMER_ID,
        softwareOrderId: o._id,
        activity,
        productVersion: 'Windows Server 2022 Datacenter',
        language: 'en-us',
        bitness: 'x64',
        userId: anActor(['admin_agent']).userId,
        at: at(HOUR),
      });
      expect(kinds(d.effects)).toEqual(['insert', 'audit']);
    }
  });

  it('SW-MAK: a KMS key is refused (NOT_SUPPORTED, keyType) even though the order has a key for that version', () => {
    const o = order(WINDOWS);
    const r = refused(getKey(o, choice(o, { keyType: 'KMS' })));
    expect(r).toMatchObject({ rule: 'SW-MAK', code: 'NOT_SUPPORTED', field: 'keyType' });
    expect(r.message).toContain('never issued');
  });

  it('SW-KEYS: a version, language or bitness the order has no key for is refused (NOT_ELIGIBLE), naming the field and what it has', () => {
    const o = order(WINDOWS);
    expect(refused(getKey(o, choice(o, { productVersion: 'Windows Server 2019' })))).toMatchObject({
      rule: 'SW-KEYS',
      code: 'NOT_ELIGIBLE',
      field: 'productVersion',
    });
    expect(refused(getKey(o, choice(o, { language: 'fr-fr' })))).toMatchObject({ field: 'language' });
    const r = refused(getKey(o, choice(o, { bitness: 'x86' })));
    expect(r).toMatchObject({ field: 'bitness' });
    expect(r.message).toContain('Windows Server 2022 Datacenter en-us x64');
  });

  it('SW-KEYS: a SUSE order has no key to get (NOT_SUPPORTED)', () => {
    const o = order(SUSE);
    expect(refused(getKey(o, { productVersion: 'x', language: 'en-us', bitness: 'x64', keyType: 'MAK' }))).toMatchObject({
      rule: 'SW-KEYS',
      code: 'NOT_SUPPORTED',
    });
  });

  it('ROLE-SOFTWARE-KEYS: only an admin agent gets keys; a global admin is refused (ROLE_NOT_ALLOWED), before anything else', () => {
    const o = order(WINDOWS);
    expect(refused(getKey(o, choice(o), ['global_admin']))).toMatchObject({ rule: 'ROLE-SOFTWARE-KEYS', code: 'ROLE_NOT_ALLOWED' });
    expect(refused(getKey(o, choice(o, { keyType: 'KMS' }), ['global_admin']))).toMatchObject({ rule: 'ROLE-SOFTWARE-KEYS' });
    expect(allowed(getKey(o, choice(o), ['global_admin', 'admin_agent'])).key.keyType).toBe('MAK');
  });

  it('SW-POST-CANCEL: the keys of a cancelled order are refused (INVALID_STATUS), at once, before the cancellation shows', () => {
    const o = cancelled(order(WINDOWS), at(HOUR));
    expect(o.keys.every((k) => k.revoked)).toBe(true);
    expect(refused(getKey(o))).toMatchObject({ rule: 'SW-POST-CANCEL', code: 'INVALID_STATUS' });
    // A single revoked key is refused too.
    const one = order(OFFICE);
    const partly = { ...one, keys: one.keys.map((k, i) => ({ ...k, revoked: i === 0 })) };
    expect(refused(getKey(partly, choice(partly)))).toMatchObject({ rule: 'SW-POST-CANCEL' });
    expect(allowed(getKey(partly, choice(partly, { bitness: 'x86' }))).key.bitness).toBe('x86');
  });
});

describe('the activity log (SW-ACTIVITY-LOG, ROLE-ACTIVITY-LOG)', () => {
  it('SW-ACTIVITY-LOG: the log is read for a range of at most 90 days: exactly 90 days is allowed, 90 days + 1 ms is not', () => {
    expect(checkActivityLogRange(T0, at(90 * DAY))).toBeNull();
    expect(checkActivityLogRange(T0, at(90 * DAY + 1))).toMatchObject({ argumentName: 'to' });
    expect(checkActivityLogRange(T0, at(90 * DAY + 1))!.message).toContain('at most 90 days');
  });

  it("SW-ACTIVITY-LOG: 'to' must be later than 'from'", () => {
    expect(checkActivityLogRange(T0, T0)).toMatchObject({ argumentName: 'to' });
    expect(checkActivityLogRange(at(DAY), T0)).toMatchObject({ argumentName: 'to' });
    expect(checkActivityLogRange(new Date('nope'), T0)).toMatchObject({ argumentName: 'from' });
  });

  it('ROLE-ACTIVITY-LOG: global, account, referral and marketing content admins read the log; admin agents and others do not', () => {
    for (const role of ['global_admin', 'account_admin', 'referral_admin', 'marketing_content_admin'] as PartnerRole[]) {
      expect(checkActivityLogRole(anActor([role]))).toBeNull();
    }
    for (const role of ['admin_agent', 'billing_admin', 'helpdesk_agent', 'sales_agent', 'user_management_admin'] as PartnerRole[]) {
      expect(checkActivityLogRole(anActor([role]))).toMatchObject({ rule: 'ROLE-ACTIVITY-LOG', code: 'ROLE_NOT_ALLOWED' });
    }
  });
});

describe('cancelling a software order (SW-CANCEL-*, SW-POST-CANCEL)', () => {
  it('SW-CANCEL-30D: an order can be cancelled 29d23h59m59.999s after its purchase, and not at exactly 30 days (WINDOW_CLOSED)', () => {
    const o = order(WINDOWS);
    expect(allowed(cancel({ o, now: at(LAST_30D) })).creditCents).toBe(2 * 615_500);
    const r = refused(cancel({ o, now: at(30 * DAY) }));
    expect(r).toMatchObject({ rule: 'SW-CANCEL-30D', code: 'WINDOW_CLOSED' });
    expect(r.message).toContain('2026-12-01T09:00:00.000Z');
    expect(r.message).toContain('support request');
  });

  it('SW-CANCEL-EXCLUDED: SUSE Linux and Red Hat plans cannot be cancelled, even on the day of purchase (NOT_SUPPORTED)', () => {
    expect(refused(cancel({ o: order(SUSE), now: T0 }))).toMatchObject({ rule: 'SW-CANCEL-EXCLUDED', code: 'NOT_SUPPORTED' });
    expect(refused(cancel({ o: order(RHEL), now: at(HOUR) }))).toMatchObject({ rule: 'SW-CANCEL-EXCLUDED', code: 'NOT_SUPPORTED' });
  });

  it("SW-CANCEL-PER-ORDER: one order per cancellation; the customer may be named by company name, tenant ID or domain, and must be the order's", () => {
    const o = order(WINDOWS);
    for (const ref of ['Adatum', 'adatum', CUSTOMER_ID, CUSTOMER_ID.toUpperCase(), 'adatum.onmicrosoft.com']) {
      expect(allowed(cancel({ o, now: at(HOUR), roles: ['admin_agent'], customerRef: ref })).creditCents).toBe(1_231_000);
    }
    const r = refused(cancel({ o, now: at(HOUR), roles: ['admin_agent'], customerRef: 'Fabrikam' }));
    expect(r).toMatchObject({ rule: 'SW-CANCEL-PER-ORDER', code: 'INVALID_VALUE', field: 'customer' });
    // The update touches this order only.
    const d = allowed(cancel({ o, now: at(HOUR) }));
    expect(d.effects.filter((e) => e.kind === 'update').map((e) => (e as { id: string }).id)).toEqual([o._id]);
  });

  it('ROLE-SOFTWARE-CANCEL: only an admin agent may cancel; a global admin is refused (ROLE_NOT_ALLOWED)', () => {
    expect(refused(cancel({ o: order(WINDOWS), now: at(HOUR), roles: ['global_admin'] }))).toMatchObject({
      rule: 'ROLE-SOFTWARE-CANCEL',
      code: 'ROLE_NOT_ALLOWED',
    });
  });

  it('SW-POST-CANCEL: perpetual software is credited 100 %, every key revoked, the order cancelled now; credit on the ledger', () => {
    const o = order(WINDOWS, 2, ['en-us', 'de-de']);
    const d = allowed(cancel({ o, now: at(20 * DAY) }));
    expect(d).toMatchObject({ creditCents: 1_231_000, rule: 'SW-POST-CANCEL', cancelledAt: at(20 * DAY), keysRevoked: 2 });
    const after = cancelled(o, at(20 * DAY));
    expect(after).toMatchObject({ status: 'cancelled', cancelledAt: at(20 * DAY) });
    expect(after.keys.map((k) => k.revoked)).toEqual([true, true]);
    expect(ledger(d.effects)).toEqual([
      expect.objectContaining({
        amountCents: -1_231_000,
        kind: 'credit',
        ruleId: 'SW-POST-CANCEL',
        source: { type: 'software_order', id: o._id },
        orderId: o._id,
      }),
    ]);
    expect(kinds(d.effects)).toEqual(['update', 'ledger', 'audit']);
  });

  it('SW-POST-CANCEL, MONEY-PRORATE: a software subscription is credited prorated over purchase to term end (365 days), exact to the cent', () => {
    const o = order(SQL_SUB, 2); // 374000 cents for 2027-11-01 - 2026-11-01 = 365 days
    // At the purchase instant: no day used, everything back.
    expect(softwareCredit(o, T0)).toBe(374_000);
    // 1 ms after: 1 started day: 374000 - round(374000 / 365) = 374000 - 1025 = 372975.
    expect(allowed(cancel({ o, now: at(1) })).creditCents).toBe(372_975);
    // Exactly 10 days: 374000 - round(3740000 / 365 = 10246.58) = 363753.
    expect(allowed(cancel({ o, now: at(10 * DAY) })).creditCents).toBe(363_753);
    // 10 days + 1 ms: 11 started days: 374000 - round(4114000 / 365 = 11271.23) = 362729.
    expect(allowed(cancel({ o, now: at(10 * DAY + 1) })).creditCents).toBe(362_729);
    // The last instant of the window: 30 days: 374000 - round(11220000 / 365 = 30739.73) = 343260.
    const last = allowed(cancel({ o, now: at(LAST_30D) }));
    expect(last.creditCents).toBe(343_260);
    expect(ledger(last.effects)[0]!.amountCents).toBe(-343_260);
  });

  it('SW-POST-CANCEL: an order cannot be cancelled twice (NO_CHANGE)', () => {
    const o = cancelled(order(WINDOWS), at(HOUR));
    expect(refused(cancel({ o, now: at(2 * HOUR) }))).toMatchObject({ rule: 'SW-POST-CANCEL', code: 'NO_CHANGE' });
  });

  it('SW-CANCEL-DELAY: confirmed now, the cancellation shows from now + the configured delay: still active 1 ms before, cancelled at it', () => {
    const now = at(2 * DAY);
    const o = cancelled(order(WINDOWS), now);
    expect(o.cancellationVisibleAt).toEqual(new Date(now.getTime() + DELAY));
    expect(visibleStatus(o, now)).toBe('active');
    expect(visibleStatus(o, new Date(now.getTime() + DELAY - 1))).toBe('active');
    expect(visibleStatus(o, new Date(now.getTime() + DELAY))).toBe('cancelled');
    expect(visibleStatus(order(WINDOWS), at(60 * DAY))).toBe('active');
  });

  it('SW-POST-CANCEL, SW-CANCEL-DELAY: from the instant it is confirmed the order lists no keys and its cancellation is pending; only the status waits, for exactly the delay', () => {
    const o = order(OFFICE, 1, ['en-us', 'nl-nl']);
    expect(listedKeys(o)).toHaveLength(4);
    expect(isCancellationPending(o, at(HOUR))).toBe(false);
    const now = at(2 * DAY);
    const c = cancelled(o, now);
    // Every key revoked at once, whatever the status shows.
    expect(listedKeys(c)).toEqual([]);
    expect(isCancellationPending(c, now)).toBe(true);
    expect(isCancellationPending(c, new Date(now.getTime() + DELAY - 1))).toBe(true);
    expect(isCancellationPending(c, new Date(now.getTime() + DELAY))).toBe(false);
    expect(softwareCancelInfo(c, now).message).toContain(`Its status shows it from ${at(2 * DAY + DELAY).toISOString()} (SW-CANCEL-DELAY)`);
    expect(softwareCancelInfo(c, at(2 * DAY + DELAY)).message).not.toContain('SW-CANCEL-DELAY');
    // With no delay the status shows it at once: never pending.
    const atOnce = allowed(cancel({ o, now, delayMs: 0 }));
    const update = atOnce.effects.find((e) => e.kind === 'update') as { set: Partial<SoftwareOrderDoc> };
    expect(isCancellationPending({ ...o, ...update.set }, now)).toBe(false);
    // A key revoked on an order not (yet) cancelled is not listed either.
    expect(listedKeys({ ...o, keys: o.keys.map((k, i) => ({ ...k, revoked: i === 0 })) })).toEqual(o.keys.slice(1));
  });

  it('SW-CANCEL-DELAY: the delay is data (0 shows at once) and never more than 15 minutes', () => {
    expect(cancellationVisibleAt(T0, 0)).toEqual(T0);
    expect(cancellationVisibleAt(T0, 60_000)).toEqual(at(MINUTE));
    expect(cancellationVisibleAt(T0, 60 * MINUTE)).toEqual(at(15 * MINUTE));
    expect(cancellationVisibleAt(T0, -5)).toEqual(T0);
    expect(allowed(cancel({ o: order(WINDOWS), now: T0, roles: ['admin_agent'], delayMs: 0 })).visibleAt).toEqual(T0);
  });
});

describe('what the partner sees before cancelling (SW-CANCEL-INFO)', () => {
  it('SW-CANCEL-INFO: the days left to cancel: 30 at the purchase, 30 a millisecond later, 1 in the last 24 hours, until 30 days after purchase', () => {
    const o = order(WINDOWS);
    const until = new Date('2026-12-01T09:00:00.000Z');
    expect(softwareCancelInfo(o, T0)).toMatchObject({
      state: 'cancellable',
      rule: 'SW-CANCEL-30D',
      daysLeft: 30,
      cancellableUntil: until,
      supportRequestNeeded: false,
    });
    expect(softwareCancelInfo(o, at(1)).daysLeft).toBe(30);
    expect(softwareCancelInfo(o, at(DAY)).daysLeft).toBe(29);
    expect(softwareCancelInfo(o, at(29 * DAY)).daysLeft).toBe(1);
    expect(softwareCancelInfo(o, at(LAST_30D))).toMatchObject({ state: 'cancellable', daysLeft: 1 });
    expect(softwareCancelInfo(o, at(LAST_30D)).message).toContain('1 day left');
  });

  it('SW-CANCEL-INFO: from exactly 30 days the window has passed and a support request is needed', () => {
    expect(softwareCancelInfo(order(WINDOWS), at(30 * DAY))).toMatchObject({
      state: 'window_passed',
      rule: 'SW-CANCEL-30D',
      daysLeft: 0,
      cancellableUntil: null,
      supportRequestNeeded: true,
    });
  });

  it('SW-CANCEL-INFO: a SUSE or Red Hat plan is excluded (SW-CANCEL-EXCLUDED); a cancelled order says so (SW-POST-CANCEL)', () => {
    expect(softwareCancelInfo(order(SUSE), T0)).toMatchObject({ state: 'excluded', rule: 'SW-CANCEL-EXCLUDED', daysLeft: 0 });
    expect(softwareCancelInfo(order(RHEL), T0)).toMatchObject({ state: 'excluded' });
    expect(softwareCancelInfo(cancelled(order(WINDOWS), at(HOUR)), at(HOUR))).toMatchObject({ state: 'cancelled', rule: 'SW-POST-CANCEL' });
  });

  it('ROLE-SOFTWARE-KEYS, ROLE-SOFTWARE-CANCEL: allowedActions runs the same decisions: an admin agent may get keys and cancel, a global admin neither', () => {
    const o = order(WINDOWS);
    const base = { order: o, customer: customer(), now: at(HOUR), delayMs: DELAY };
    expect(softwareAllowedActions({ ...base, actor: admin })).toEqual([
      { action: 'get_key', allowed: true, rule: null, code: null, reason: null },
      { action: 'cancel', allowed: true, rule: null, code: null, reason: null },
      { action: 'request_refund', allowed: true, rule: null, code: null, reason: null },
    ]);
    const asGlobal = softwareAllowedActions({ ...base, actor: globalAdmin });
    expect(asGlobal.map((a) => [a.action, a.allowed, a.rule])).toEqual([
      ['get_key', false, 'ROLE-SOFTWARE-KEYS'],
      ['cancel', false, 'ROLE-SOFTWARE-CANCEL'],
      ['request_refund', true, null],
    ]);
    const late = softwareAllowedActions({ ...base, now: at(30 * DAY), actor: admin });
    expect(late.find((a) => a.action === 'cancel')).toMatchObject({ allowed: false, rule: 'SW-CANCEL-30D', code: 'WINDOW_CLOSED' });
  });
});

describe('the rule registry for software', () => {
  it('SW-*, ROLE-SOFTWARE*, ROLE-ACTIVITY-LOG: each has a deciding function defined in a file that cites the ID', () => {
    const ids = [
      'SW-PRICE',
      'SW-KEYS',
      'SW-MAK',
      'SW-ACTIVITY-LOG',
      'SW-CANCEL-30D',
      'SW-CANCEL-EXCLUDED',
      'SW-CANCEL-PER-ORDER',
      'SW-CANCEL-INFO',
      'SW-CANCEL-DELAY',
      'SW-POST-CANCEL',
      'SW-SUPPORT-REQUEST',
      'ROLE-SOFTWARE',
      'ROLE-SOFTWARE-KEYS',
      'ROLE-SOFTWARE-CANCEL',
      'ROLE-ACTIVITY-LOG',
      'PRICE-TAX',
    ] as const;
    const problems: string[] = [];
    for (const id of ids) {
      const entry = RULES[id];
      if (!entry) {
        problems.push(`${id}: no entry`);
        continue;
      }
      const source = readFileSync(path.resolve(import.meta.dirname, '../../src/policy', entry.file), 'utf8');
      if (!source.includes(id)) problems.push(`${id}: ${entry.file} does not cite it`);
      if (!new RegExp(`\\b(?:function|const)\\s+${entry.decidedBy.name}\\b`).test(source)) problems.push(`${id}: ${entry.decidedBy.name}`);
    }
    expect(problems).toEqual([]);
  });
});

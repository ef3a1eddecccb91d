import { describe, expect, it } from 'vitest';
import type { OfferDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { checkAvailable, checkSegment, segmentAllows } from '../../src/policy/catalog.js';
import { insertedSubscriptions } from '../../src/policy/effects.js';
import {
  activationLink,
  checkOnePerCustomer,
  decidePurchase,
  trialTerm,
  type CartLine,
  type PurchaseInput,
} from '../../src/policy/purchase.js';
import {
  addOnOffer,
  adminAgent,
  allowed,
  anActor,
  at,
  contoso,
  customer,
  DAY,
  fabrikam,
  ids,
  isvOffer,
  kinds,
  ledger,
  legacySub,
  nceOffer,
  nceSub,
  noRoles,
  OFFER,
  refused,
  T0,
  tailspin,
  trialOffer,
  upgradeOffer,
} from './harness.js';

const line = (
  offer: OfferDoc,
  quantity = 10,
  billingCycle: CartLine['billingCycle'] = 'monthly',
  termDuration: CartLine['termDuration'] = 'P1Y',
): CartLine => ({
  offer,
  quantity,
  billingCycle,
  termDuration,
});

function purchase(lines: CartLine[], extra: Partial<PurchaseInput> = {}) {
  return decidePurchase({ customer: customer(), partner: contoso, lines, existing: [], actor: adminAgent, now: T0, ids, ...extra });
}

describe('the cart (CAT-CART)', () => {
  it('CAT-CART: an empty cart is refused (INVALID_VALUE, field lineItems)', () => {
    expect(refused(purchase([]))).toMatchObject({ rule: 'CAT-CART', code: 'INVALID_VALUE', field: 'lineItems' });
  });

  it('CAT-CART: a cart of 51 lines is refused', () => {
    expect(refused(purchase(Array.from({ length: 51 }, () => line(nceOffer(), 1))))).toMatchObject({
      rule: 'CAT-CART',
      field: 'lineItems',
    });
  });

  it('CAT-CART, BILL-MONTHLY: a cart of two lines is bought as one order (order-0) with two subscriptions, charged 12000 / 12 (billed monthly) + 2 x 1900 (annual)', () => {
    const d = allowed(purchase([line(nceOffer(), 10), { ...line(upgradeOffer(), 2, 'annual'), friendlyName: '  Execs  ' }]));
    expect(d).toMatchObject({ orderId: 'order-0', totalCents: 4800, currency: 'USD', pricesIncludeTax: false });
    expect(kinds(d.effects)).toEqual(['insert', 'insert', 'ledger', 'insert', 'ledger', 'audit']);
    expect(d.subscriptions.map((s) => [s._id, s.offerId, s.quantity, s.billingCycle, s.chargedCents, s.friendlyName])).toEqual([
      ['sub-0', OFFER.A, 10, 'monthly', 1000, 'Microsoft 365 E3'],
      ['sub-1', OFFER.B, 2, 'annual', 3800, 'Execs'],
    ]);
    const order = d.effects[0];
    expect(order).toMatchObject({
      kind: 'insert',
      collection: 'orders',
      doc: {
        _id: 'order-0',
        status: 'completed',
        totalPriceCents: 4800,
        lineItems: [
          { lineItemNumber: 0, subscriptionId: 'sub-0', transactionType: 'new', totalPriceCents: 1000, unitPriceCents: 1200 },
          { lineItemNumber: 1, subscriptionId: 'sub-1', transactionType: 'new', totalPriceCents: 3800, unitPriceCents: 1900 },
        ],
      },
    });
    expect(ledger(d.effects).map((e) => [e.source.id, e.amountCents, e.kind, e.ruleId, e.orderId])).toEqual([
      ['sub-0', 1000, 'charge', 'CAT-CART', 'order-0'],
      ['sub-1', 3800, 'charge', 'CAT-CART', 'order-0'],
    ]);
  });

  it('CAT-CART: each subscription starts now and its first term ends one term later (2027-11-01T09:00Z)', () => {
    const [s] = allowed(purchase([line(nceOffer())])).subscriptions;
    expect(s).toMatchObject({
      status: 'active',
      effectiveStartDate: T0,
      commitmentEndDate: new Date('2027-11-01T09:00:00.000Z'),
      orderId: 'order-0',
      orderedAt: T0,
    });
  });

  it('CAT-CART: all or nothing: one bad line refuses the whole cart, naming the field lineItems.1.offerId', () => {
    const education = upgradeOffer({ segments: ['education'] });
    const r = refused(purchase([line(nceOffer()), line(education, 2)]));
    expect(r).toMatchObject({ rule: 'CAT-FILTER', code: 'NOT_ELIGIBLE', field: 'lineItems.1.offerId' });
  });

  it('CAT-CART: a billing plan the offer does not have is refused on lineItems.0.billingCycle, naming the plans it has', () => {
    const r = refused(purchase([line(upgradeOffer(), 1, 'monthly', 'P3Y')]));
    expect(r).toMatchObject({ rule: 'CAT-CART', code: 'NOT_ELIGIBLE', field: 'lineItems.0.billingCycle' });
    expect(r.message).toContain('monthly/P1Y, annual/P1Y');
  });

  it('CAT-CART: a quantity outside the offer bounds is refused on lineItems.0.quantity (LIMIT_EXCEEDED)', () => {
    expect(refused(purchase([line(nceOffer(), 0)]))).toMatchObject({
      rule: 'CAT-CART',
      code: 'LIMIT_EXCEEDED',
      field: 'lineItems.0.quantity',
    });
    expect(refused(purchase([line(nceOffer(), 301)]))).toMatchObject({ rule: 'CAT-CART', code: 'LIMIT_EXCEEDED' });
  });

  it('SUB-EDIT: a nickname given on a line is 1 to 250 characters, as a rename, refused on lineItems.1.friendlyName; none or a blank one is the offer name', () => {
    const r = refused(purchase([line(nceOffer()), { ...line(nceOffer()), friendlyName: 'x'.repeat(251) }]));
    expect(r).toMatchObject({ rule: 'SUB-EDIT', code: 'INVALID_VALUE', field: 'lineItems.1.friendlyName' });
    for (const friendlyName of ['x'.repeat(250), '  ', null, undefined]) {
      expect(purchase([{ ...line(nceOffer()), friendlyName }]).allowed, String(friendlyName)).toBe(true);
    }
  });

  it('CAT-CART: a usage-based offer is bought with quantity 1 only', () => {
    const usage = isvOffer({ billingType: 'usage' });
    expect(refused(purchase([line(usage, 3, 'monthly', 'P1M')]))).toMatchObject({
      rule: 'CAT-CART',
      code: 'INVALID_VALUE',
      field: 'lineItems.0.quantity',
    });
    expect(allowed(purchase([line(usage, 1, 'monthly', 'P1M')])).subscriptions[0]!.billingType).toBe('usage');
  });

  it('CAT-CART: software and reservations are not bought as subscriptions (NOT_SUPPORTED)', () => {
    expect(refused(purchase([line(nceOffer({ commerceType: 'software' }))]))).toMatchObject({ rule: 'CAT-CART', code: 'NOT_SUPPORTED' });
    expect(refused(purchase([line(nceOffer({ commerceType: 'reservation' }))]))).toMatchObject({ rule: 'CAT-CART', code: 'NOT_SUPPORTED' });
  });

  it('ROLE-SUBSCRIPTIONS: a caller without roles cannot buy (ROLE_NOT_ALLOWED)', () => {
    expect(refused(purchase([line(nceOffer())], { actor: noRoles }))).toMatchObject({
      rule: 'ROLE-SUBSCRIPTIONS',
      code: 'ROLE_NOT_ALLOWED',
    });
  });

  it('ROLE-MARKETPLACE: a sales agent can buy Microsoft offers but not a marketplace (ISV) offer', () => {
    const sales = anActor(['sales_agent']);
    expect(allowed(purchase([line(nceOffer())], { actor: sales })).subscriptions).toHaveLength(1);
    expect(refused(purchase([line(isvOffer(), 1, 'monthly', 'P1M')], { actor: sales }))).toMatchObject({
      rule: 'ROLE-MARKETPLACE',
      code: 'ROLE_NOT_ALLOWED',
    });
  });

  it('SUB-EDIT: an indirect reseller buying is recorded as the reseller of record (its MPN ID)', () => {
    const [s] = allowed(purchase([line(nceOffer())], { partner: tailspin, actor: anActor(['admin_agent'], tailspin) })).subscriptions;
    expect(s!.partnerIdOnRecord).toBe(tailspin.mpnId);
  });
});

describe('catalog filters (CAT-FILTER, CAT-UNAVAILABLE, ADDON-NOT-CATALOG)', () => {
  it('CAT-FILTER: an education offer is refused to a commercial customer, naming both segments', () => {
    const education = nceOffer({ segments: ['education'] });
    const r = refused(purchase([line(education)]));
    expect(r).toMatchObject({ rule: 'CAT-FILTER', code: 'NOT_ELIGIBLE', field: 'lineItems.0.offerId' });
    expect(r.message).toContain('education');
    expect(r.message).toContain('commercial');
    expect(segmentAllows(education, customer({ segment: 'education' }))).toBe(true);
    expect(checkSegment(education, customer({ segment: 'education' }), 'offerId')).toBeNull();
  });

  it("CAT-UNAVAILABLE: an ISV offer is unavailable when its publisher does not support the customer's billing country", () => {
    const r = refused(purchase([line(isvOffer({ countries: ['DE', 'FR'] }), 1, 'monthly', 'P1M')]));
    expect(r).toMatchObject({ rule: 'CAT-UNAVAILABLE', code: 'NOT_ELIGIBLE', field: 'lineItems.0.offerId' });
    expect(r.message).toContain('does not support customers billed in US');
  });

  it('CAT-UNAVAILABLE: unavailable when the ISV did not make it available through CSP', () => {
    expect(refused(purchase([line(isvOffer({ cspAvailable: false }), 1, 'monthly', 'P1M')])).message).toContain(
      'did not make it available through CSP',
    );
  });

  it('CAT-UNAVAILABLE: unavailable when the ISV made it exclusive to other CSP partners', () => {
    const exclusive = isvOffer({ exclusivePartnerIds: [fabrikam._id] });
    expect(refused(purchase([line(exclusive, 1, 'monthly', 'P1M')])).message).toContain('exclusive to other CSP partners');
    expect(checkAvailable(exclusive, customer(), fabrikam, 'offerId')).toBeNull();
  });

  it('CAT-UNAVAILABLE: unavailable when it is not transactable', () => {
    expect(refused(purchase([line(isvOffer({ transactable: false }), 1, 'monthly', 'P1M')])).message).toContain('not transactable');
  });

  it('CAT-UNAVAILABLE: a supported country is available', () => {
    expect(checkAvailable(isvOffer({ countries: ['US'] }), customer(), contoso, 'offerId')).toBeNull();
  });

  it('ADDON-NOT-CATALOG: an add-on is not sold from the catalog, only through its base (field lineItems.0.offerId)', () => {
    const r = refused(purchase([line(addOnOffer(), 2)]));
    expect(r).toMatchObject({ rule: 'ADDON-NOT-CATALOG', code: 'NOT_SUPPORTED', field: 'lineItems.0.offerId' });
    expect(r.message).toContain('purchaseAddOn');
  });
});

describe('one per customer (CAT-ONE-PER-CUSTOMER)', () => {
  const single = nceOffer({ onePerCustomer: true });
  const existing = (overrides: Partial<SubscriptionDoc>) => nceSub({ _id: 'existing-1', ...overrides });

  it('CAT-ONE-PER-CUSTOMER: a second subscription of a one-per-customer offer is refused (LIMIT_EXCEEDED)', () => {
    const r = refused(purchase([line(single)], { existing: [existing({})] }));
    expect(r).toMatchObject({ rule: 'CAT-ONE-PER-CUSTOMER', code: 'LIMIT_EXCEEDED', field: 'lineItems.0.offerId' });
    expect(r.message).toContain('existing-1 exists');
  });

  it('CAT-ONE-PER-CUSTOMER: if the existing one is suspended, the refusal says to reactivate it instead', () => {
    const suspended = legacySub({ _id: 'existing-1', offerId: OFFER.A, status: 'suspended', suspendedBy: 'partner' });
    expect(refused(purchase([line(single)], { existing: [suspended] })).message).toContain(
      'reactivate it (reactivateSubscription) instead',
    );
  });

  it('CAT-ONE-PER-CUSTOMER: if the existing one is paused, the refusal says to resume it instead', () => {
    const paused = existing({ status: 'suspended', suspendedBy: 'pause' });
    expect(refused(purchase([line(single)], { existing: [paused] })).message).toContain('resume it (resumeSubscription) instead');
  });

  it('CAT-ONE-PER-CUSTOMER: a cart with the offer twice is refused; a deleted one does not count', () => {
    expect(refused(purchase([line(single), line(single)])).message).toContain('the cart has it twice');
    expect(allowed(purchase([line(single)], { existing: [existing({ status: 'deleted' })] })).subscriptions).toHaveLength(1);
    expect(checkOnePerCustomer(nceOffer(), [existing({})], 2, 'x')).toBeNull();
  });
});

describe('trials (CAT-TRIAL)', () => {
  it('CAT-TRIAL: a trial offer starts in trial for its 30 days, free, converting to its paid offer', () => {
    const d = allowed(purchase([line(trialOffer(), 25, 'monthly', 'P1M')]));
    const [s] = d.subscriptions;
    expect(s).toMatchObject({
      isTrial: true,
      trialConvertsToOfferId: OFFER.A,
      chargedCents: 0,
      effectiveStartDate: T0,
      commitmentEndDate: at(30 * DAY),
      status: 'active',
      autoRenewEnabled: true,
    });
    expect(ledger(d.effects)).toEqual([]);
    expect(d.totalCents).toBe(0);
  });

  it('CAT-TRIAL: trialTerm is the trial days from now, exactly (30 x 24 h), or null for a paid offer', () => {
    expect(trialTerm(trialOffer(), T0)).toEqual({ end: new Date('2026-12-01T09:00:00.000Z'), days: 30 });
    expect(trialTerm(nceOffer(), T0)).toBeNull();
  });
});

describe('marketplace SaaS (CAT-ISV-LINK, CAT-ISV-FULFILMENT)', () => {
  it('CAT-ISV-LINK: buying an ISV SaaS offer yields a personalised activation link whose token identifies the purchase', () => {
    const d = allowed(purchase([line(isvOffer(), 10, 'monthly', 'P1M')]));
    const [s] = d.subscriptions;
    expect(s!.fulfilment).toEqual({
      status: 'action_needed',
      activationLink: 'https://marketplace.example/contososaas/activate?token=tok-0',
      authorizationCode: 'tok-0',
    });
    expect(activationLink(isvOffer({ productId: 'Some Product' }), 'abc')).toBe(
      'https://marketplace.example/some%20product/activate?token=abc',
    );
  });

  it('CAT-ISV-FULFILMENT: until its publisher confirms, the subscription is pending and unbilled (no ledger, order total 0)', () => {
    const d = allowed(purchase([line(isvOffer(), 10, 'monthly', 'P1M')]));
    expect(d.subscriptions[0]).toMatchObject({
      status: 'pending',
      chargedCents: 0,
      commitmentEndDate: new Date('2026-12-01T09:00:00.000Z'),
    });
    expect(ledger(d.effects)).toEqual([]);
    expect(d.totalCents).toBe(0);
  });

  it('CAT-ISV-LINK: each ISV line of a cart gets its own token (tok-0, tok-1)', () => {
    const d = allowed(purchase([line(nceOffer()), line(isvOffer(), 3, 'monthly', 'P1M')]));
    expect(insertedSubscriptions(d.effects).map((s) => s.fulfilment?.authorizationCode ?? null)).toEqual([null, 'tok-1']);
  });
});

describe('tax (PRICE-TAX)', () => {
  it('PRICE-TAX: an Australian customer’s order says prices include tax; the price is as listed (its first billing month, BILL-MONTHLY)', () => {
    const d = allowed(purchase([line(nceOffer())], { customer: customer({ billingCountry: 'AU' }) }));
    expect(d.pricesIncludeTax).toBe(true);
    expect(d.effects[0]).toMatchObject({ kind: 'insert', collection: 'orders', doc: { pricesIncludeTax: true, totalPriceCents: 1000 } });
    expect(d.summary).toContain('include tax');
  });

  it('PRICE-TAX: a Brazilian customer’s prices include tax, a US or German customer’s exclude it', () => {
    const taxOf = (billingCountry: string) =>
      allowed(purchase([line(nceOffer())], { customer: customer({ billingCountry }) })).pricesIncludeTax;
    expect([taxOf('BR'), taxOf('US'), taxOf('DE')]).toEqual([true, false, false]);
  });
});

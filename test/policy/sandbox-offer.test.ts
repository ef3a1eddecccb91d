import { describe, expect, it } from 'vitest';
import type { OfferDoc, PartnerDoc, SandboxOfferDoc } from '../../src/db/documents.js';
import {
  catalogView,
  decideCreateOffer,
  MAX_OFFER_QUANTITY,
  PLANS_BY_COMMERCE_TYPE,
  validateNewOffer,
  type NewOfferFields,
} from '../../src/policy/sandbox-offer.js';
import { CATALOG, OFFERS_BY_ID, OFFER_IDS as O } from '../../src/seed/catalog.js';
import { allowed, anActor, at, contoso, DAY, ids, refused } from './harness.js';

/*
 * A test sandbox's own offers (docs/sandboxes.md, "Building the scenario"): the input checked
 * alone against the shapes of the seeded catalog, then the decision under the lock (who, where,
 * and the offers it names), and the sandbox's view of the catalog.
 */

const NOW = at(10 * DAY);
const sandbox: PartnerDoc = { ...contoso, _id: 'sandbox-partner', name: 'Sandbox', mpnId: 'sandbox-x', sandboxAdminId: contoso._id };

function fields(overrides: Partial<NewOfferFields> = {}): NewOfferFields {
  return {
    name: 'Reserved VM, test size',
    description: '',
    commerceType: 'reservation',
    productType: null,
    publisher: 'microsoft',
    billingType: 'usage',
    category: null,
    segments: ['commercial'],
    markets: null,
    billingPlans: [
      { billingCycle: 'one_time', termDuration: 'P1Y', unitPriceCents: 1_200_000, currency: 'usd' },
      { billingCycle: 'one_time', termDuration: 'P3Y', unitPriceCents: 3_000_000, currency: 'USD' },
    ],
    trial: null,
    addOnBaseOfferIds: [],
    upgradeTargetIds: [],
    onePerCustomer: false,
    minQuantity: 1,
    maxQuantity: 100,
    softwareKind: null,
    reservationType: 'virtual_machines',
    ...overrides,
  };
}

const nce = (overrides: Partial<NewOfferFields> = {}) =>
  fields({
    commerceType: 'new_commerce',
    billingType: 'license',
    reservationType: null,
    billingPlans: [
      { billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: 720, currency: 'USD' },
      { billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: 7200, currency: 'USD' },
      { billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 7200, currency: 'USD' },
    ],
    ...overrides,
  });

const decide = (f: NewOfferFields, partner: PartnerDoc = sandbox, roles: Parameters<typeof anActor>[0] = ['admin_agent']) =>
  decideCreateOffer({ fields: f, partner, referenced: OFFERS_BY_ID, actor: anActor(roles, partner), now: NOW, ids });

/** A seeded offer as the create input that describes it. */
function asFields(o: OfferDoc): NewOfferFields {
  return {
    name: o.name,
    description: o.description,
    commerceType: o.commerceType,
    productType: o.productType,
    publisher: o.publisher,
    billingType: o.billingType,
    category: o.category,
    segments: o.segments,
    markets: o.countries,
    billingPlans: o.billingPlans.map((p) => ({ ...p, currency: o.currency })),
    trial: o.trial,
    addOnBaseOfferIds: o.isAddOn ? CATALOG.filter((b) => b.eligibleAddOnIds.includes(o._id)).map((b) => b._id) : [],
    upgradeTargetIds: o.upgradeTargetIds,
    onePerCustomer: o.onePerCustomer,
    minQuantity: o.minQuantity,
    maxQuantity: o.maxQuantity,
    softwareKind: o.softwareKind,
    reservationType: o.reservationType,
  };
}

describe('validateNewOffer: the shapes of the seeded catalog', () => {
  it('every seeded offer, described as an input, passes the validation (the same validation the catalog satisfies)', () => {
    const problems = CATALOG.map((o) => [o._id, validateNewOffer(asFields(o))] as const).filter(([, p]) => p !== null);
    expect(problems).toEqual([]);
  });

  it('each commerce type is sold on the plans it has in the catalog', () => {
    for (const o of CATALOG.filter((x) => !x.trial && x.billingType === 'license')) {
      for (const p of o.billingPlans)
        expect(PLANS_BY_COMMERCE_TYPE[o.commerceType], o._id).toContain(`${p.billingCycle}/${p.termDuration}`);
    }
    expect(
      validateNewOffer(fields({ billingPlans: [{ billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: 1, currency: 'USD' }] })),
    ).toMatchObject({
      field: 'billingPlans.0.billingCycle',
      message: expect.stringContaining('one_time/P1Y, one_time/P3Y'),
    });
  });

  it.each<[string, Partial<NewOfferFields>, string]>([
    ['an empty name', { name: '  ' }, 'name'],
    ['a foreign product type', { productType: 'SaaS' }, 'productType'],
    ['an ISV reservation', { publisher: 'isv' }, 'publisher'],
    ['a licence-billed reservation', { billingType: 'license' }, 'billingType'],
    ['no segment', { segments: [] }, 'segments'],
    ['an empty market list', { markets: [] }, 'markets'],
    ['an unknown market', { markets: ['US', 'EU'] }, 'markets'],
    ['no plan', { billingPlans: [] }, 'billingPlans'],
    ['a plan twice', { billingPlans: [fields().billingPlans[0]!, fields().billingPlans[0]!] }, 'billingPlans.1.billingCycle'],
    ['a negative price', { billingPlans: [{ ...fields().billingPlans[0]!, unitPriceCents: -1 }] }, 'billingPlans.0.price.amountInCents'],
    ['a fractional price', { billingPlans: [{ ...fields().billingPlans[0]!, unitPriceCents: 0.5 }] }, 'billingPlans.0.price.amountInCents'],
    ['a bad currency', { billingPlans: [{ ...fields().billingPlans[0]!, currency: 'dollars' }] }, 'billingPlans.0.price.currencyCode'],
    [
      'two currencies',
      { billingPlans: [fields().billingPlans[0]!, { ...fields().billingPlans[1]!, currency: 'EUR' }] },
      'billingPlans.1.price.currencyCode',
    ],
    ['no reservation type', { reservationType: null }, 'reservationType'],
    ['a software kind on a reservation', { softwareKind: 'perpetual' }, 'softwareKind'],
    ['quantity bounds upside down', { minQuantity: 5, maxQuantity: 4 }, 'maxQuantity'],
    ['quantity bounds too large', { maxQuantity: MAX_OFFER_QUANTITY + 1 }, 'maxQuantity'],
    ['a trial category without a trial', { category: 'trial' }, 'trial'],
  ])('%s is a problem of %s', (_, overrides, field) => {
    expect(validateNewOffer(fields(overrides))?.field).toBe(field);
  });

  it('CAT-TRIAL: a trial is new commerce, free, on none/P1M, of 1 to 90 days; a usage-based offer is free on monthly/P1M', () => {
    const trial = (o: Partial<NewOfferFields>) =>
      nce({
        trial: { days: 30, convertsToOfferId: O.m365BusinessPremium },
        billingPlans: [{ billingCycle: 'none', termDuration: 'P1M', unitPriceCents: 0, currency: 'USD' }],
        ...o,
      });
    expect(validateNewOffer(trial({}))).toBeNull();
    expect(validateNewOffer(trial({ trial: { days: 91, convertsToOfferId: O.m365BusinessPremium } }))?.field).toBe('trial.days');
    expect(
      validateNewOffer(trial({ billingPlans: [{ billingCycle: 'none', termDuration: 'P1M', unitPriceCents: 1, currency: 'USD' }] }))?.field,
    ).toBe('billingPlans.0.price.amountInCents');
    expect(validateNewOffer(trial({ category: 'enterprise' }))?.field).toBe('category');
    const usage = (plan: NewOfferFields['billingPlans'][number]) =>
      nce({ billingType: 'usage', productType: 'Azure', billingPlans: [plan] });
    expect(validateNewOffer(usage({ billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: 0, currency: 'USD' }))).toBeNull();
    expect(validateNewOffer(usage({ billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 0, currency: 'USD' }))?.message).toContain(
      'A usage-based offer is sold on the plans monthly/P1M',
    );
    expect(
      validateNewOffer(usage({ billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: 5, currency: 'USD' }))?.message,
    ).toContain('the meter bills it');
  });
});

describe('decideCreateOffer', () => {
  it('SANDBOX-OFFERS: a sandbox gets an offer with a gateway-made ID, its plans in integer cents, audited as create_offer', () => {
    const d = allowed(decide(fields()));
    expect(d.offer).toMatchObject({
      // The operation's order ID (12 hex digits on the write path; the harness's own here).
      _id: `S${ids.order(0).slice(0, 11).toUpperCase()}:0001`,
      partnerId: sandbox._id,
      productType: 'Azure',
      category: 'enterprise',
      currency: 'USD',
      isAddOn: false,
      eligibleAddOnIds: [],
      billingPlans: [
        { billingCycle: 'one_time', termDuration: 'P1Y', unitPriceCents: 1_200_000 },
        { billingCycle: 'one_time', termDuration: 'P3Y', unitPriceCents: 3_000_000 },
      ],
      createdAt: NOW,
    });
    expect(d.offer._id).toBe(`${d.offer.productId}:${d.offer.skuId}`);
    expect(d.effects).toEqual([
      { kind: 'insert', collection: 'sandboxOffers', doc: d.offer },
      {
        kind: 'audit',
        event: expect.objectContaining({ operationType: 'create_offer', resourceType: 'offer', resourceId: d.offer._id, customerId: null }),
      },
    ]);
    expect(d.summary).toBe(`Created offer 'Reserved VM, test size' (${d.offer._id}).`);
  });

  it('SANDBOX-OFFERS: a real partner is refused, whatever its roles; ROLE-SUBSCRIPTIONS decides who in a sandbox', () => {
    expect(refused(decide(fields(), contoso))).toMatchObject({ rule: 'SANDBOX-OFFERS', code: 'NOT_SUPPORTED' });
    expect(refused(decide(fields(), contoso, ['global_admin'])).rule).toBe('SANDBOX-OFFERS');
    expect(refused(decide(fields(), sandbox, ['referral_admin']))).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
  });

  it('UPG-ELIGIBLE, CAT-TRIAL, ADDON-ELIGIBLE, ADDON-ALIGN: named offers must exist in the catalog and fit', () => {
    expect(allowed(decide(nce({ upgradeTargetIds: [O.m365BusinessPremium] }))).offer.upgradeTargetIds).toEqual([O.m365BusinessPremium]);
    expect(refused(decide(nce({ upgradeTargetIds: ['NOPE:0001'] })))).toMatchObject({ rule: 'UPG-ELIGIBLE', field: 'upgradeTargetIds.0' });
    expect(refused(decide(nce({ upgradeTargetIds: [O.legacyO365E3] })))).toMatchObject({ rule: 'UPG-ELIGIBLE', code: 'NOT_ELIGIBLE' });
    const trial = (target: string) =>
      nce({
        trial: { days: 30, convertsToOfferId: target },
        billingPlans: [{ billingCycle: 'none', termDuration: 'P1M', unitPriceCents: 0, currency: 'USD' }],
      });
    expect(allowed(decide(trial(O.m365BusinessPremium))).offer.category).toBe('trial');
    expect(refused(decide(trial(O.teamsPhoneStandard)))).toMatchObject({ rule: 'CAT-TRIAL', field: 'trial.convertsToOfferId' });
    const addOn = allowed(decide(nce({ addOnBaseOfferIds: [O.m365BusinessBasic] }))).offer;
    expect(addOn).toMatchObject({ isAddOn: true, addOnBaseOfferIds: [O.m365BusinessBasic] });
    expect(refused(decide(nce({ addOnBaseOfferIds: [O.teamsPhoneStandard] })))).toMatchObject({ rule: 'ADDON-ELIGIBLE' });
    // Business Basic sells three plans; an add-on with one of them cannot align with it.
    const onePlan = nce({ addOnBaseOfferIds: [O.m365BusinessBasic], billingPlans: [nce().billingPlans[0]!] });
    expect(refused(decide(onePlan))).toMatchObject({
      rule: 'ADDON-ALIGN',
      field: 'billingPlans',
      message: expect.stringContaining('monthly/P1Y, annual/P1Y'),
    });
  });
});

describe('catalogView: a sandbox’s catalog', () => {
  it('ROLE-TENANT: lays the sandbox’s offers over the global ones, and lists its add-ons among their bases on copies only', () => {
    const addOn = { ...allowed(decide(nce({ addOnBaseOfferIds: [O.m365BusinessBasic] }))).offer } satisfies SandboxOfferDoc;
    const global = OFFERS_BY_ID.get(O.m365BusinessBasic)!;
    const before = [...global.eligibleAddOnIds];
    const view = catalogView(CATALOG, [addOn]);
    expect(view.get(addOn._id)).toBe(addOn);
    expect(view.get(O.m365BusinessBasic)!.eligibleAddOnIds).toEqual([...before, addOn._id]);
    expect(global.eligibleAddOnIds).toEqual(before);
    expect(view.size).toBe(CATALOG.length + 1);
  });
});

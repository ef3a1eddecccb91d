/**
 * Shared builders for the policy's unit tests: callers (Caller), a deterministic IdSource, and
 * subscriptions of each commerce type over the fixture builders. No database, no clock: every
 * instant is T0 plus an exact offset.
 */
import type { CustomerDoc, OfferDoc, PartnerDoc, PartnerRole, SubscriptionDoc } from '../../src/db/documents.js';
import type { Decision, Refused } from '../../src/policy/decision.js';
import type { AnyRuleId, RuleId } from '../../src/policy/rule-ids.js';
import type { Effect, IdSource, LedgerEffect, UpdateEffect } from '../../src/policy/effects.js';
import type { Caller } from '../../src/shared/caller.js';
import { DAY, HOUR, MINUTE, SECOND } from '../../src/policy/time.js';
import { aCustomer, anOffer, aSubscription, guid, partners, T0 } from '../support/fixtures.js';

export { DAY, HOUR, MINUTE, SECOND, T0 };

const [CONTOSO, FABRIKAM, TAILSPIN] = partners();

/** Contoso (direct bill), Fabrikam (indirect provider), Tailspin (indirect reseller). */
export const contoso: PartnerDoc = CONTOSO!;
export const fabrikam: PartnerDoc = FABRIKAM!;
export const tailspin: PartnerDoc = TAILSPIN!;

/** A caller: by default an admin agent of Contoso. */
export function anActor(roles: readonly PartnerRole[] = ['admin_agent'], partner: PartnerDoc = contoso): Caller {
  return { partner, userId: `user-${roles.join('+') || 'none'}@${partner.name}`, roles: [...roles] };
}

export const adminAgent = anActor();
export const noRoles = anActor([]);

/** IDs an operation would take: `cust-0`, `sub-0`, `order-0`, `tok-0` ... */
export const ids: IdSource = {
  customer: (n) => `cust-${n}`,
  subscription: (n) => `sub-${n}`,
  order: (n) => `order-${n}`,
  token: (n) => `tok-${n}`,
};

/** T0 plus an exact number of milliseconds. */
export const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** 2026-11-01T09:00Z + 1 year: the default term end (365 days later). */
export const TERM_END = new Date('2027-11-01T09:00:00.000Z');

export const CUSTOMER_ID = guid('customer-policy');

export function customer(overrides: Partial<CustomerDoc> = {}): CustomerDoc {
  return aCustomer({ _id: CUSTOMER_ID, companyName: 'Adatum', ...overrides });
}

/** Offer IDs: A upgrades to B, C is a downgrade of A (C upgrades to A), D is unrelated; X is A's add-on. */
export const OFFER = {
  A: 'CFQ7TTC0AAAA:0001',
  B: 'CFQ7TTC0BBBB:0001',
  C: 'CFQ7TTC0CCCC:0001',
  D: 'CFQ7TTC0DDDD:0001',
  X: 'CFQ7TTC0XXXX:0001',
  LEGACY: 'LEGACY-0001',
  LEGACY_UP: 'LEGACY-0002',
  ISV: 'contososaas:monthly',
  TRIAL: 'CFQ7TTC0TRIA:0001',
} as const;

export function nceOffer(overrides: Partial<OfferDoc> = {}): OfferDoc {
  return anOffer({
    _id: OFFER.A,
    name: 'Microsoft 365 E3',
    upgradeTargetIds: [OFFER.B],
    eligibleAddOnIds: [OFFER.X],
    billingPlans: [
      { billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: 1200 },
      { billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 1100 },
      { billingCycle: 'monthly', termDuration: 'P3Y', unitPriceCents: 3300 },
      { billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: 130 },
    ],
    ...overrides,
  });
}

/** B: the upgrade target of A, 2000 cents a seat a year. */
export function upgradeOffer(overrides: Partial<OfferDoc> = {}): OfferDoc {
  return anOffer({
    _id: OFFER.B,
    name: 'Microsoft 365 E5',
    billingPlans: [
      { billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: 2000 },
      { billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 1900 },
    ],
    ...overrides,
  });
}

/** C: a downgrade of A (C upgrades to A), 800 cents a seat a year. */
export function downgradeOffer(overrides: Partial<OfferDoc> = {}): OfferDoc {
  return anOffer({
    _id: OFFER.C,
    name: 'Microsoft 365 Business Standard',
    upgradeTargetIds: [OFFER.A],
    billingPlans: [
      { billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: 800 },
      { billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 700 },
    ],
    ...overrides,
  });
}

export function unrelatedOffer(overrides: Partial<OfferDoc> = {}): OfferDoc {
  return anOffer({ _id: OFFER.D, name: 'Dynamics 365 Sales', ...overrides });
}

/** X: an add-on of A, 600 cents a seat a year. */
export function addOnOffer(overrides: Partial<OfferDoc> = {}): OfferDoc {
  return anOffer({
    _id: OFFER.X,
    name: 'Teams Phone',
    isAddOn: true,
    billingPlans: [{ billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: 600 }],
    ...overrides,
  });
}

export function legacyOffer(overrides: Partial<OfferDoc> = {}): OfferDoc {
  return anOffer({
    _id: OFFER.LEGACY,
    name: 'Office 365 E3 (legacy)',
    commerceType: 'legacy',
    productType: 'OnlineServices',
    upgradeTargetIds: [OFFER.LEGACY_UP],
    ...overrides,
  });
}

export function isvOffer(overrides: Partial<OfferDoc> = {}): OfferDoc {
  return anOffer({
    _id: OFFER.ISV,
    productId: 'ContosoSaaS',
    skuId: 'monthly',
    name: 'Contoso SaaS',
    publisher: 'isv',
    publisherName: 'Contoso ISV',
    commerceType: 'marketplace_saas',
    productType: 'SaaS',
    billingPlans: [
      { billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: 500 },
      { billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 5000 },
    ],
    ...overrides,
  });
}

export function trialOffer(overrides: Partial<OfferDoc> = {}): OfferDoc {
  return anOffer({
    _id: OFFER.TRIAL,
    name: 'Microsoft 365 E3 Trial',
    category: 'trial',
    trial: { days: 30, convertsToOfferId: OFFER.A },
    billingPlans: [{ billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: 0 }],
    ...overrides,
  });
}

type SubOverrides = Partial<SubscriptionDoc>;

/** A new-commerce subscription of offer A: 10 seats at 1200 cents, a 365-day term from T0, charged 12000. */
export function nceSub(overrides: SubOverrides = {}): SubscriptionDoc {
  return aSubscription({ _id: guid('nce'), customerId: CUSTOMER_ID, offerId: OFFER.A, offerName: 'Microsoft 365 E3', ...overrides });
}

export function legacySub(overrides: SubOverrides = {}): SubscriptionDoc {
  return aSubscription({
    _id: guid('legacy'),
    customerId: CUSTOMER_ID,
    offerId: OFFER.LEGACY,
    offerName: 'Office 365 E3 (legacy)',
    commerceType: 'legacy',
    ...overrides,
  });
}

/** A fulfilled, licence-based marketplace SaaS subscription billed monthly (P1M from T0, 10 x 500 charged). */
export function isvSub(overrides: SubOverrides = {}): SubscriptionDoc {
  return aSubscription({
    _id: guid('isv'),
    customerId: CUSTOMER_ID,
    offerId: OFFER.ISV,
    offerName: 'Contoso SaaS',
    commerceType: 'marketplace_saas',
    publisher: 'isv',
    billingCycle: 'monthly',
    termDuration: 'P1M',
    unitPriceCents: 500,
    chargedCents: 5000,
    commitmentEndDate: new Date('2026-12-01T09:00:00.000Z'),
    fulfilment: { status: 'fulfilled', activationLink: 'https://marketplace.example/contososaas/activate?token=t', authorizationCode: 't' },
    ...overrides,
  });
}

/** An ISV subscription awaiting its publisher (CAT-ISV-FULFILMENT): pending, nothing charged. */
export function pendingIsvSub(overrides: SubOverrides = {}): SubscriptionDoc {
  return isvSub({
    status: 'pending',
    chargedCents: 0,
    fulfilment: {
      status: 'action_needed',
      activationLink: 'https://marketplace.example/contososaas/activate?token=tok-0',
      authorizationCode: 'tok-0',
    },
    ...overrides,
  });
}

/** An add-on of `base` (offer X), ending with it. */
export function addOnSub(base: SubscriptionDoc, overrides: SubOverrides = {}): SubscriptionDoc {
  const id = overrides._id ?? guid(`addon-${base._id}`);
  return aSubscription({
    _id: id,
    customerId: base.customerId,
    offerId: OFFER.X,
    offerName: 'Teams Phone',
    commerceType: base.commerceType,
    parentSubscriptionId: base._id,
    quantity: 4,
    unitPriceCents: 600,
    chargedCents: 2400,
    commitmentEndDate: base.commitmentEndDate,
    ...overrides,
  });
}

/** The outcome of an allowed decision; fails the test with the refusal otherwise. */
export function allowed<T>(d: Decision<T, AnyRuleId>): T & { allowed: true } {
  if (!d.allowed) throw new Error(`expected the decision to be allowed, but it was refused: ${d.rule} ${d.code}: ${d.message}`);
  return d;
}

/** The refusal of a refused decision; fails the test otherwise. */
export function refused<Rule extends AnyRuleId = RuleId>(d: Decision<unknown, Rule> | Refused<Rule> | null): Refused<Rule> {
  if (d === null) throw new Error('expected a refusal, got null (no refusal)');
  if (d.allowed) throw new Error(`expected a refusal, but the decision was allowed: ${JSON.stringify(d, null, 1).slice(0, 600)}`);
  return d;
}

export function updates(effects: readonly Effect[]): UpdateEffect[] {
  return effects.filter((e): e is UpdateEffect => e.kind === 'update');
}

export function ledger(effects: readonly Effect[]): LedgerEffect['entry'][] {
  return effects.filter((e): e is LedgerEffect => e.kind === 'ledger').map((e) => e.entry);
}

export function kinds(effects: readonly Effect[]): Effect['kind'][] {
  return effects.map((e) => e.kind);
}

/** The `$set` of the single update of one document. */
export function setOf(effects: readonly Effect[], id: string): Record<string, unknown> {
  const found = updates(effects).filter((u) => u.id === id);
  if (found.length !== 1) throw new Error(`expected exactly one update of ${id}, found ${found.length}`);
  return found[0]!.set;
}

/** The document after its update, for follow-on decisions. */
export function after<T extends SubscriptionDoc>(doc: T, effects: readonly Effect[]): T {
  return { ...doc, ...setOf(effects, doc._id), version: doc.version + 1 } as T;
}

/** Every partner role, in the order of the PartnerRole type. */
export const ALL_ROLES: PartnerRole[] = [
  'admin_agent',
  'billing_admin',
  'global_admin',
  'helpdesk_agent',
  'sales_agent',
  'account_admin',
  'referral_admin',
  'marketing_content_admin',
  'user_management_admin',
];

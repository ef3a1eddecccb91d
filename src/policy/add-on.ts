/** Buying an add-on for a base subscription (ADDON-*). */
import type { CustomerDoc, OfferDoc, PartnerDoc } from '../db/documents.js';
import { nextBillingAt } from './billing.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect, IdSource } from './effects.js';
import { addOnEligible, checkQuantity, requirePlan } from './catalog.js';
import { auditFor, describe, isAddOn, ledgerFor, type Sub } from './common.js';
import { pricedTermStart, proratedCharge } from './money.js';
import { lineItem, newOrder, newSubscription } from './new-docs.js';
import { checkGivenFriendlyName } from './edit.js';
import { checkSubscriptionRoles } from './roles.js';
import type { Caller } from '../shared/caller.js';
import { phrased } from './mood.js';

export interface AddOnInput {
  base: Sub;
  baseOffer: OfferDoc;
  addOnOffer: OfferDoc;
  customer: CustomerDoc;
  partner: PartnerDoc;
  quantity: number;
  friendlyName?: string | null;
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface AddOnOutcome {
  effects: Effect[];
  addOn: Sub;
  orderId: string;
  chargeCents: number;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/** ADDON-PARTNER-TYPE: only direct-bill partners and indirect providers buy add-ons, not indirect resellers. */
export function checkAddOnPartnerType(partner: PartnerDoc): Refused | null {
  return partner.partnerType === 'indirect_reseller'
    ? refuse(
        'ADDON-PARTNER-TYPE',
        'NOT_SUPPORTED',
        'Indirect resellers cannot buy add-ons; the indirect provider (or a direct-bill partner) buys them.',
      )
    : null;
}

/** ADDON-BASE-ACTIVE: an add-on is bought only for an active base subscription. */
export function checkBaseActive(base: Sub): Refused | null {
  if (isAddOn(base))
    return refuse(
      'ADDON-BASE-ACTIVE',
      'INVALID_VALUE',
      `${describe(base)} is itself an add-on; buy add-ons for its base subscription.`,
      'subscriptionId',
    );
  return base.status === 'active'
    ? null
    : refuse(
        'ADDON-BASE-ACTIVE',
        'INVALID_STATUS',
        `Add-ons are bought only for an active base subscription; ${describe(base)} is ${base.status}.`,
        'subscriptionId',
      );
}

/** ADDON-ELIGIBLE: only add-ons eligible for the base (its requirements and the customer's region) are accepted. */
export function checkAddOnEligible(baseOffer: OfferDoc, addOn: OfferDoc, customer: CustomerDoc): Refused | null {
  return addOnEligible(baseOffer, addOn, customer)
    ? null
    : refuse(
        'ADDON-ELIGIBLE',
        'NOT_ELIGIBLE',
        `'${addOn.name}' is not an eligible add-on of '${baseOffer.name}' for ${customer.companyName} (${customer.billingCountry}, ${customer.segment}).`,
        'offerId',
      );
}

/** ADDON-ALIGN: an add-on bought at `at` is charged for the days left in its base's term (MONEY-PRORATE). */
export function alignedAddOnCharge(
  unitPriceCents: number,
  quantity: number,
  base: Pick<Sub, 'effectiveStartDate' | 'commitmentEndDate' | 'pricingTermStart' | 'billedUntil'>,
  at: Date,
): number {
  // BILL-MONTHLY: on a base billed monthly, to the end of its billing month; the add-on's later months are charged with the base's.
  return proratedCharge({
    unitPriceCents,
    quantity,
    termStart: pricedTermStart(base),
    termEnd: base.commitmentEndDate,
    at,
    billedUntil: nextBillingAt(base),
  });
}

/**
 * ADDON-ALIGN: the add-on's term ends when the base's term ends, and its first charge is prorated
 * from now to that end (MONEY-PRORATE on the base's term).
 */
export function decidePurchaseAddOn(input: AddOnInput): Decision<AddOnOutcome> {
  const { base, baseOffer, addOnOffer, customer, partner, quantity, actor, now, ids } = input;
  const refusal =
    checkSubscriptionRoles(actor, base, 'buy an add-on') ??
    checkAddOnPartnerType(partner) ??
    checkBaseActive(base) ??
    checkAddOnEligible(baseOffer, addOnOffer, customer) ??
    checkQuantity(addOnOffer, quantity, 'quantity', 'ADDON-ELIGIBLE') ??
    checkGivenFriendlyName(input.friendlyName, 'friendlyName');
  if (refusal) return refusal;
  const plan = requirePlan(addOnOffer, base.billingCycle, base.termDuration, 'offerId');
  if ('allowed' in plan) return { ...plan, rule: 'ADDON-ELIGIBLE' };
  const charge = alignedAddOnCharge(plan.unitPriceCents, quantity, base, now);
  const orderId = ids.order(0);
  const addOn = newSubscription({
    id: ids.subscription(0),
    offer: addOnOffer,
    plan,
    customer,
    partner,
    quantity,
    friendlyName: input.friendlyName?.trim() || addOnOffer.name,
    orderId,
    at: now,
    termStart: now,
    termEnd: base.commitmentEndDate,
    chargedCents: charge,
    // MONEY-PRORATE: its charge was prorated over the base's term; so is the value it uses.
    pricingTermStart: pricedTermStart(base),
    billedUntil: nextBillingAt(base),
    parentSubscriptionId: base._id,
    autoRenewEnabled: base.autoRenewEnabled,
  });
  const effects: Effect[] = [
    { kind: 'insert', collection: 'subscriptions', doc: addOn },
    { kind: 'insert', collection: 'orders', doc: newOrder(orderId, customer, now, [lineItem(0, addOn, 'new', charge)]) },
    ledgerFor(addOn, {
      amountCents: charge,
      kind: 'prorated_charge',
      rule: 'ADDON-ALIGN',
      description: `Add-on: ${addOnOffer.name} x ${quantity}, prorated to ${base.commitmentEndDate.toISOString()}`,
      at: now,
      orderId,
    }),
    auditFor(actor, {
      partnerId: base.partnerId,
      customerId: base.customerId,
      operationType: 'create_order',
      resourceType: 'order',
      resourceId: orderId,
      at: now,
      after: { addOn: addOn._id, base: base._id, chargeCents: charge },
    }),
  ];
  return allow({
    effects,
    addOn,
    orderId,
    chargeCents: charge,
    ...phrased(
      `Added ${addOnOffer.name} x ${quantity} to ${describe(base)}, ending with it on ${base.commitmentEndDate.toISOString()}.`,
      `Would add ${addOnOffer.name} x ${quantity} to ${describe(base)}, ending with it on ${base.commitmentEndDate.toISOString()}.`,
    ),
  });
}

/**
 * What the catalog allows a customer and partner to buy (CAT-FILTER, CAT-UNAVAILABLE,
 * ADDON-NOT-CATALOG, ADDON-ELIGIBLE) and the price of a billing plan (PRICE-TAX).
 */
import type { BillingCycle, BillingPlan, CustomerDoc, OfferDoc, PartnerDoc, TermDuration } from '../db/documents.js';
import { refuse, type Refused } from './decision.js';

export function planFor(
  offer: Pick<OfferDoc, 'billingPlans'>,
  billingCycle: BillingCycle,
  termDuration: TermDuration | null,
): BillingPlan | undefined {
  return offer.billingPlans.find((p) => p.billingCycle === billingCycle && (termDuration === null || p.termDuration === termDuration));
}

function plans(offer: OfferDoc): string {
  return offer.billingPlans.map((p) => `${p.billingCycle}/${p.termDuration}`).join(', ');
}

/** A billing plan of the offer, or a refusal naming the plans it has. */
export function requirePlan(
  offer: OfferDoc,
  billingCycle: BillingCycle,
  termDuration: TermDuration | null,
  field: string,
): BillingPlan | Refused {
  return (
    planFor(offer, billingCycle, termDuration) ??
    refuse(
      'CAT-CART',
      'NOT_ELIGIBLE',
      `Offer '${offer.name}' has no ${billingCycle}${termDuration ? `/${termDuration}` : ''} billing plan; it offers ${plans(offer)}.`,
      field,
    )
  );
}

/** CAT-FILTER: the catalog shows a customer only the offers of its segment. */
export function segmentAllows(offer: Pick<OfferDoc, 'segments'>, customer: Pick<CustomerDoc, 'segment'>): boolean {
  return offer.segments.includes(customer.segment);
}

/** CAT-FILTER: refused for an offer outside the customer's segment. */
export function checkSegment(offer: OfferDoc, customer: CustomerDoc, field: string): Refused | null {
  return segmentAllows(offer, customer)
    ? null
    : refuse(
        'CAT-FILTER',
        'NOT_ELIGIBLE',
        `Offer '${offer.name}' is sold to ${offer.segments.join(', ')} customers; ${customer.companyName} is ${customer.segment}.`,
        field,
      );
}

/**
 * CAT-UNAVAILABLE: an ISV offer can be unavailable because the ISV does not support the
 * customer's billing country, did not make it available through CSP, made it exclusive to other
 * CSP partners, or it is not transactable. The refusal names which.
 */
export function checkAvailable(offer: OfferDoc, customer: CustomerDoc, partner: PartnerDoc, field: string): Refused | null {
  const why =
    offer.countries !== null && !offer.countries.includes(customer.billingCountry)
      ? `its publisher does not support customers billed in ${customer.billingCountry}`
      : !offer.cspAvailable
        ? 'its publisher did not make it available through CSP'
        : offer.exclusivePartnerIds.length > 0 && !offer.exclusivePartnerIds.includes(partner._id)
          ? 'its publisher made it exclusive to other CSP partners'
          : !offer.transactable
            ? 'it is not transactable (containers and some usage-based offers cannot be bought through CSP)'
            : null;
  return why === null ? null : refuse('CAT-UNAVAILABLE', 'NOT_ELIGIBLE', `Offer '${offer.name}' is unavailable: ${why}.`, field);
}

/** ADDON-NOT-CATALOG: add-ons are sold only through their base subscription. */
export function checkNotAddOn(offer: OfferDoc, field: string): Refused | null {
  return offer.isAddOn
    ? refuse(
        'ADDON-NOT-CATALOG',
        'NOT_SUPPORTED',
        `Offer '${offer.name}' is an add-on: buy it for its base subscription with purchaseAddOn.`,
        field,
      )
    : null;
}

/** ADDON-ELIGIBLE: an add-on offer is eligible for a base offer, the customer's segment and region. */
export function addOnEligible(baseOffer: OfferDoc, addOn: OfferDoc, customer: CustomerDoc): boolean {
  return (
    addOn.isAddOn &&
    baseOffer.eligibleAddOnIds.includes(addOn._id) &&
    segmentAllows(addOn, customer) &&
    (addOn.countries === null || addOn.countries.includes(customer.billingCountry))
  );
}

/** Quantity within the offer's bounds. */
export function checkQuantity(
  offer: OfferDoc,
  quantity: number,
  field: string,
  rule: 'CAT-CART' | 'SUB-EDIT' | 'UPG-PARTIAL' | 'SCHED-KINDS' | 'ADDON-ELIGIBLE',
): Refused | null {
  if (!Number.isInteger(quantity) || quantity < offer.minQuantity || quantity > offer.maxQuantity) {
    return refuse(
      rule,
      'LIMIT_EXCEEDED',
      `Quantity for '${offer.name}' must be a whole number from ${offer.minQuantity} to ${offer.maxQuantity}; got ${quantity}.`,
      field,
    );
  }
  return null;
}

/**
 * Buying from the catalog (CAT-*): a cart of line items checked as a whole and bought as one
 * order; trials (CAT-TRIAL), marketplace SaaS awaiting its publisher (CAT-ISV-LINK,
 * CAT-ISV-FULFILMENT), prices and tax (PRICE-TAX).
 */
import type { BillingCycle, CustomerDoc, OfferDoc, PartnerDoc, SubscriptionDoc, TermDuration } from '../db/documents.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect, IdSource } from './effects.js';
import { checkAvailable, checkNotAddOn, checkQuantity, checkSegment, requirePlan } from './catalog.js';
import { auditFor, isEnded, ledgerFor } from './common.js';
import { billingMonthLabel, termStartCharge } from './billing.js';
import { pricesIncludeTax } from './money.js';
import { lineItem, newOrder, newSubscription } from './new-docs.js';
import { checkGivenFriendlyName } from './edit.js';
import { checkRole } from './roles.js';
import type { Caller } from '../shared/caller.js';
import { addMs, addTerm, DAY } from './time.js';
import { phrased } from './mood.js';

export const MAX_CART_LINES = 50;

export interface CartLine {
  offer: OfferDoc;
  quantity: number;
  billingCycle: BillingCycle;
  termDuration: TermDuration;
  friendlyName?: string | null;
}

export interface PurchaseInput {
  customer: CustomerDoc;
  partner: PartnerDoc;
  lines: readonly CartLine[];
  /** The customer's subscriptions of the offers in the cart (CAT-ONE-PER-CUSTOMER). */
  existing: readonly SubscriptionDoc[];
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface PurchaseOutcome {
  effects: Effect[];
  orderId: string;
  subscriptions: SubscriptionDoc[];
  totalCents: number;
  currency: string;
  /** PRICE-TAX. */
  pricesIncludeTax: boolean;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/** CAT-ONE-PER-CUSTOMER: a second subscription of such an offer is refused; a suspended one should be reactivated. */
export function checkOnePerCustomer(offer: OfferDoc, existing: readonly SubscriptionDoc[], inCart: number, field: string): Refused | null {
  if (!offer.onePerCustomer) return null;
  const current = existing.find((s) => s.offerId === offer._id && !isEnded(s));
  if (current?.status === 'suspended') {
    const how = current.suspendedBy === 'pause' ? 'resume it (resumeSubscription)' : 'reactivate it (reactivateSubscription)';
    return refuse(
      'CAT-ONE-PER-CUSTOMER',
      'LIMIT_EXCEEDED',
      `'${offer.name}' allows one subscription per customer, and subscription ${current._id} is suspended: ${how} instead of buying again.`,
      field,
    );
  }
  if (current || inCart > 1) {
    return refuse(
      'CAT-ONE-PER-CUSTOMER',
      'LIMIT_EXCEEDED',
      `'${offer.name}' allows one subscription per customer${current ? `; subscription ${current._id} exists` : ', and the cart has it twice'}.`,
      field,
    );
  }
  return null;
}

/** CAT-TRIAL: a trial offer starts in trial for its days, free; the partner cannot decline it. */
export function trialTerm(offer: OfferDoc, now: Date): { end: Date; days: number } | null {
  return offer.trial ? { end: addMs(now, offer.trial.days * DAY), days: offer.trial.days } : null;
}

/**
 * CAT-CART: every line is checked (CAT-FILTER, CAT-UNAVAILABLE, ADDON-NOT-CATALOG,
 * CAT-ONE-PER-CUSTOMER, quantity, billing plan) and the cart is bought as one order, or not at
 * all. Each line becomes a subscription whose first term starts now and is charged in full
 * (PRICE-TAX: prices as listed, tax-inclusive in AU and BR); a trial starts free (CAT-TRIAL); a
 * marketplace SaaS line gets a personalised activation link and awaits its publisher, unbilled
 * (CAT-ISV-LINK, CAT-ISV-FULFILMENT).
 */
export function decidePurchase(input: PurchaseInput): Decision<PurchaseOutcome> {
  const { customer, partner, lines, actor, now, ids } = input;
  const role = checkRole(actor, 'ROLE-SUBSCRIPTIONS', 'buy subscriptions');
  if (role) return role;
  if (lines.length === 0 || lines.length > MAX_CART_LINES) {
    return refuse('CAT-CART', 'INVALID_VALUE', `A cart has 1 to ${MAX_CART_LINES} line items; got ${lines.length}.`, 'lineItems');
  }
  const orderId = ids.order(0);
  const effects: Effect[] = [];
  const subs: SubscriptionDoc[] = [];
  const orderLines = [];
  for (const [i, line] of lines.entries()) {
    const field = `lineItems.${i}`;
    const { offer } = line;
    const bad =
      checkNotAddOn(offer, `${field}.offerId`) ??
      (offer.commerceType === 'software' || offer.commerceType === 'reservation'
        ? refuse(
            'CAT-CART',
            'NOT_SUPPORTED',
            `'${offer.name}' is ${offer.commerceType === 'software' ? 'software' : 'an Azure reservation'}; it is bought as a software order or reservation, not a subscription.`,
            `${field}.offerId`,
          )
        : null) ??
      (offer.publisher === 'isv' ? checkRole(actor, 'ROLE-MARKETPLACE', 'buy marketplace offers') : null) ??
      checkSegment(offer, customer, `${field}.offerId`) ??
      checkAvailable(offer, customer, partner, `${field}.offerId`) ??
      checkOnePerCustomer(offer, input.existing, lines.filter((l) => l.offer._id === offer._id).length, `${field}.offerId`) ??
      (offer.billingType === 'usage' && line.quantity !== 1
        ? refuse(
            'CAT-CART',
            'INVALID_VALUE',
            `'${offer.name}' is usage-based: its quantity is 1; got ${line.quantity}.`,
            `${field}.quantity`,
          )
        : checkQuantity(offer, line.quantity, `${field}.quantity`, 'CAT-CART')) ??
      checkGivenFriendlyName(line.friendlyName, `${field}.friendlyName`);
    if (bad) return bad;
    const plan = requirePlan(offer, line.billingCycle, line.termDuration, `${field}.billingCycle`);
    if ('allowed' in plan) return plan;
    const trial = trialTerm(offer, now);
    const isv = offer.commerceType === 'marketplace_saas';
    const termPrice = plan.unitPriceCents * line.quantity;
    // BILL-MONTHLY: a term billed monthly is charged its first month now, the rest on the clock.
    const billing = termStartCharge({ ...plan, termPriceCents: termPrice, termStart: now });
    const charged = trial || isv ? 0 : billing.chargeCents;
    const id = ids.subscription(i);
    const token = ids.token(i);
    const sub = newSubscription({
      id,
      offer,
      plan,
      customer,
      partner,
      quantity: line.quantity,
      friendlyName: line.friendlyName?.trim() || offer.name,
      orderId,
      at: now,
      termStart: now,
      termEnd: trial ? trial.end : addTerm(now, plan.termDuration),
      chargedCents: charged,
      billedUntil: trial || isv ? null : billing.billedUntil,
      status: isv ? 'pending' : 'active',
      isTrial: trial !== null,
      fulfilment: isv ? { status: 'action_needed', activationLink: activationLink(offer, token), authorizationCode: token } : null,
    });
    subs.push(sub);
    orderLines.push(lineItem(i, sub, 'new', charged));
    effects.push({ kind: 'insert', collection: 'subscriptions', doc: sub });
    if (charged > 0) {
      effects.push(
        ledgerFor(sub, {
          amountCents: charged,
          kind: 'charge',
          rule: 'CAT-CART',
          description: `Purchase: ${offer.name} x ${line.quantity}${billingMonthLabel(plan, 0)}`,
          at: now,
          orderId,
        }),
      );
    }
  }
  const order = { ...newOrder(orderId, customer, now, orderLines), currencyCode: subs[0]!.currency };
  effects.unshift({ kind: 'insert', collection: 'orders', doc: order });
  effects.push(
    auditFor(actor, {
      partnerId: customer.partnerId,
      customerId: customer._id,
      operationType: 'create_order',
      resourceType: 'order',
      resourceId: orderId,
      at: now,
      after: { lineItems: orderLines.length, totalPriceCents: order.totalPriceCents },
    }),
  );
  const taxIncluded = pricesIncludeTax(customer.billingCountry);
  return allow({
    effects,
    orderId,
    subscriptions: subs,
    totalCents: order.totalPriceCents,
    currency: order.currencyCode,
    pricesIncludeTax: taxIncluded,
    ...phrased(
      `Order ${orderId}: ${subs.length} subscription(s) for ${customer.companyName}; prices ${taxIncluded ? 'include' : 'exclude'} tax (PRICE-TAX).`,
      `Would order ${subs.length} subscription(s) for ${customer.companyName}; prices ${taxIncluded ? 'include' : 'exclude'} tax (PRICE-TAX).`,
    ),
  });
}

/** CAT-ISV-LINK: the personalised publisher link, whose token identifies the purchase. */
export function activationLink(offer: OfferDoc, token: string): string {
  return `https://marketplace.example/${encodeURIComponent(offer.productId.toLowerCase())}/activate?token=${token}`;
}

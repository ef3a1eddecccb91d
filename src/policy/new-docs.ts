/**
 * Builders of the documents an operation inserts (subscriptions, orders), complete and valid,
 * with IDs from the operation's IdSource so a replay inserts nothing twice.
 */
import type { BillingPlan, CustomerDoc, OfferDoc, OrderDoc, OrderLineItem, PartnerDoc, SubscriptionDoc } from '../db/documents.js';
import { pricesIncludeTax } from './money.js';

export interface NewSubscriptionArgs {
  id: string;
  offer: OfferDoc;
  plan: BillingPlan;
  customer: CustomerDoc;
  partner: PartnerDoc;
  quantity: number;
  friendlyName: string;
  orderId: string;
  at: Date;
  termStart: Date;
  termEnd: Date;
  chargedCents: number;
  /** MONEY-PRORATE, ADDON-ALIGN, UPG-SAME-END: start of the longer term the charge was prorated over, if not termStart. */
  pricingTermStart?: Date;
  /** BILL-MONTHLY: the end of what `chargedCents` pays for; null (the default): the whole term. */
  billedUntil?: Date | null;
  status?: SubscriptionDoc['status'];
  parentSubscriptionId?: string | null;
  upgradedFromSubscriptionId?: string | null;
  autoRenewEnabled?: boolean;
  isTrial?: boolean;
  fulfilment?: SubscriptionDoc['fulfilment'];
  /** The reseller of record; by default the customer's (partnerIdOnRecord). An upgrade keeps its source's. */
  partnerIdOnRecord?: string;
}

/** The reseller of record: the customer's associated reseller, or the calling reseller itself. */
export function partnerIdOnRecord(customer: CustomerDoc, partner: PartnerDoc): string {
  return customer.associatedPartnerId ?? (partner.partnerType === 'indirect_reseller' ? partner.mpnId : '');
}

export function newSubscription(a: NewSubscriptionArgs): SubscriptionDoc {
  return {
    _id: a.id,
    partnerId: a.customer.partnerId,
    customerId: a.customer._id,
    offerId: a.offer._id,
    offerName: a.offer.name,
    commerceType: a.offer.commerceType,
    billingType: a.offer.billingType,
    publisher: a.offer.publisher,
    friendlyName: a.friendlyName,
    quantity: a.quantity,
    status: a.status ?? 'active',
    suspensionReasons: [],
    suspendedBy: null,
    suspendedAt: null,
    dataDeletionAt: null,
    autoRenewEnabled: a.autoRenewEnabled ?? true,
    billingCycle: a.plan.billingCycle,
    termDuration: a.plan.termDuration,
    unitPriceCents: a.plan.unitPriceCents,
    currency: a.offer.currency,
    chargedCents: a.chargedCents,
    // Written only for a term billed monthly: absent means billed whole (BILL-MONTHLY).
    ...(a.billedUntil ? { billedUntil: a.billedUntil } : {}),
    isTrial: a.isTrial ?? false,
    trialConvertsToOfferId: a.isTrial ? (a.offer.trial?.convertsToOfferId ?? null) : null,
    creationDate: a.at,
    effectiveStartDate: a.termStart,
    commitmentEndDate: a.termEnd,
    orderId: a.orderId,
    orderedAt: a.at,
    parentSubscriptionId: a.parentSubscriptionId ?? null,
    upgradedFromSubscriptionId: a.upgradedFromSubscriptionId ?? null,
    partnerIdOnRecord: a.partnerIdOnRecord ?? partnerIdOnRecord(a.customer, a.partner),
    fulfilment: a.fulfilment ?? null,
    scheduledNextTermInstructions: null,
    scheduledUpgrade: null,
    cancelAtTermEnd: false,
    deletedReason: null,
    deletedAt: null,
    updatedAt: a.at,
    version: 0,
    ...(a.pricingTermStart && a.pricingTermStart.getTime() !== a.termStart.getTime() ? { pricingTermStart: a.pricingTermStart } : {}),
  };
}

export function lineItem(
  n: number,
  sub: SubscriptionDoc,
  transactionType: OrderLineItem['transactionType'],
  totalPriceCents: number,
): OrderLineItem {
  return {
    lineItemNumber: n,
    offerId: sub.offerId,
    subscriptionId: sub._id,
    reservationId: null,
    friendlyName: sub.friendlyName,
    quantity: sub.quantity,
    billingCycle: sub.billingCycle,
    termDuration: sub.termDuration,
    transactionType,
    unitPriceCents: sub.unitPriceCents,
    totalPriceCents,
  };
}

/** PRICE-TAX: the order says whether its prices include tax (Australia, Brazil). */
export function newOrder(id: string, customer: CustomerDoc, at: Date, lines: OrderLineItem[]): OrderDoc {
  return {
    _id: id,
    partnerId: customer.partnerId,
    customerId: customer._id,
    billingCycle: lines[0]?.billingCycle ?? 'monthly',
    currencyCode: 'USD',
    creationDate: at,
    status: 'completed',
    lineItems: lines,
    totalPriceCents: lines.reduce((n, l) => n + l.totalPriceCents, 0),
    pricesIncludeTax: pricesIncludeTax(customer.billingCountry),
    version: 0,
  };
}

/** The subscription document of a planned subscription, its marketplace fulfilment included. */
import type { BillingPlan, OfferDoc, SubscriptionDoc } from '../db/documents.js';
import { activationLink } from '../policy/purchase.js';
import type { PlannedSub } from './showcase.js';
import type { OrderDraft, Tenant } from './tenant.js';
import type { Timeline } from './timeline.js';

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A base subscription as generated: what it is, its history, its document and the order that bought it. */
export interface PlacedBase {
  offer: OfferDoc;
  plan: BillingPlan;
  doc: SubscriptionDoc;
  t: Timeline;
  order: OrderDraft;
  planned: PlannedSub;
}

export interface SubscriptionDocArgs {
  offer: OfferDoc;
  plan: BillingPlan;
  quantity: number;
  t: Timeline;
  orderId: string;
  /** When its order was placed, epoch milliseconds. */
  orderedAt: number;
  chargedCents: number;
  parentSubscriptionId: string | null;
}

export function subscriptionDoc(g: Tenant, a: SubscriptionDocArgs): SubscriptionDoc {
  const { offer, plan, quantity, t, orderId, orderedAt, chargedCents, parentSubscriptionId } = a;
  const c = g.customer;
  const id = g.ids.guid();
  const fulfilment =
    t.fulfilment === null
      ? null
      : (() => {
          const code = g.rng.chars(TOKEN_ALPHABET, 43);
          // CAT-ISV-LINK: the publisher's personalised link, as a live purchase gets it.
          return { status: t.fulfilment, activationLink: activationLink(offer, code), authorizationCode: code };
        })();
  const updatedAt = Math.max(t.s, t.suspendedAt ?? 0, t.deletedAt ?? 0);
  return {
    _id: id,
    partnerId: c.partnerId,
    customerId: c._id,
    offerId: offer._id,
    offerName: offer.name,
    commerceType: offer.commerceType,
    billingType: offer.billingType,
    publisher: offer.publisher,
    friendlyName: g.nickname(offer),
    quantity,
    status: t.status,
    suspensionReasons: t.reasons,
    suspendedBy: t.suspendedBy,
    suspendedAt: t.suspendedAt === null ? null : new Date(t.suspendedAt),
    dataDeletionAt: t.dataDeletionAt === null ? null : new Date(t.dataDeletionAt),
    autoRenewEnabled: t.autoRenew,
    billingCycle: plan.billingCycle,
    termDuration: plan.termDuration,
    unitPriceCents: plan.unitPriceCents,
    currency: offer.currency,
    chargedCents,
    isTrial: offer.trial !== null,
    trialConvertsToOfferId: offer.trial?.convertsToOfferId ?? null,
    creationDate: new Date(t.c),
    effectiveStartDate: new Date(t.s),
    commitmentEndDate: new Date(t.e),
    orderId,
    orderedAt: new Date(orderedAt),
    parentSubscriptionId,
    upgradedFromSubscriptionId: null,
    partnerIdOnRecord: g.partnerIdOnRecord,
    fulfilment,
    scheduledNextTermInstructions: null,
    scheduledUpgrade: null,
    cancelAtTermEnd: false,
    deletedReason: t.deletedReason,
    deletedAt: t.deletedAt === null ? null : new Date(t.deletedAt),
    updatedAt: new Date(updatedAt),
    version: 0,
  };
}

import type { RefundCapDoc, ReservationDoc } from '../../src/db/documents.js';
import { addTerm } from '../../src/policy/time.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { OFFER_IDS } from '../../src/seed/catalog.js';
import { guid, T0 } from './fixtures.js';

/** An Azure subscription of the test customers (RES-MANAGE). */
export const AZURE_SUB = guid('azure-subscription');

/**
 * An active 1-year reservation bought at `purchasedAt` (T0 by default): 12,000.00 USD paid
 * upfront, unused, single scope on AZURE_SUB. A test overrides only what it is about.
 */
export function aReservation(overrides: Partial<ReservationDoc> & { _id: string; customerId: string }): ReservationDoc {
  const purchasedAt = overrides.purchasedAt ?? T0;
  const termDuration = overrides.termDuration ?? 'P1Y';
  return {
    reservationOrderId: guid(`order-of-${overrides._id}`),
    partnerId: DEMO_PARTNERS.contoso.id,
    offerId: OFFER_IDS.reservedVmD2sV5,
    displayName: `VM_RI_${overrides._id.slice(0, 8)}`,
    reservationType: 'virtual_machines',
    region: 'westeurope',
    quantity: 1,
    termDuration,
    priceCents: 1_200_000,
    billingPlan: 'upfront',
    currency: 'USD',
    purchasedAt,
    expiryDateTime: addTerm(purchasedAt, termDuration),
    scope: { type: 'single', subscriptionId: AZURE_SUB, resourceGroupId: null, managementGroupId: null },
    azureSubscriptionId: AZURE_SUB,
    utilizationPercent: 0,
    hasUsage: false,
    status: 'active',
    cancelledAt: null,
    exchangedForReservationId: null,
    exchangedFromReservationId: null,
    version: 1,
    ...overrides,
  };
}

/** A customer's refund-cap document with refunds of the given amounts at the given instants. */
export function aRefundCap(customerId: string, refunds: { amountCents: number; at: Date }[], version = 1): RefundCapDoc {
  return {
    _id: customerId,
    partnerId: DEMO_PARTNERS.contoso.id,
    refunds: refunds.map((r, i) => ({ reservationId: guid(`earlier-refund-${i}`), ...r })),
    version,
  };
}

/** Azure reservations (RES-*): purchases, and the cancellations and exchanges of some. */
import type { BillingPlan, OfferDoc, ReservationDoc, ReservationScopeType } from '../db/documents.js';
import { exchangeCredit, RES_FULL_REFUND_WINDOW, reservationRefundTerms } from '../policy/reservation.js';
import { reservationsAvailableIn } from '../policy/reservation-markets.js';
import { addTerm, atMost, DAY, HOUR } from '../policy/time.js';
import { CATALOG, OFFER_IDS } from './catalog.js';
import { AZURE_REGIONS } from './names.js';
import { addSubscription } from './subscriptions.js';
import { clamp, MAX_SUBSCRIPTIONS, pad, reservationLine, type Tenant } from './tenant.js';
import { HISTORY } from './timeline.js';

export function addReservations(g: Tenant, count: number): void {
  if (!reservationsAvailableIn(g.customer.billingCountry)) return; // RES-MARKETS
  if (g.azureSubscriptionId === null) {
    // Reservations are bought for an Azure subscription of the customer's Azure plan.
    if (!g.out.subscriptions.some((s) => s.customerId === g.customer._id && s.offerId === OFFER_IDS.azurePlan)) {
      if (g.subCount >= MAX_SUBSCRIPTIONS) return;
      if (!addSubscription(g, { offerId: OFFER_IDS.azurePlan, scenario: 'active' })) return;
    }
    g.azureSubscriptionId = g.ids.guid();
  }
  const offers = CATALOG.filter((o) => o.commerceType === 'reservation' && g.available(o));
  for (let i = 0; i < count && offers.length > 0; i++) {
    const offer = g.rng.pick(offers);
    const plan = g.rng.weighted(offer.billingPlans.map((p): [BillingPlan, number] => [p, p.termDuration === 'P1Y' ? 60 : 40]));
    // One in five inside RES-REFUND-TABLE's first days.
    const purchasedAt = g.rng.chance(0.2) ? g.past(HOUR, RES_FULL_REFUND_WINDOW) : g.past(RES_FULL_REFUND_WINDOW, HISTORY);
    if (purchasedAt === null) continue;
    // Few units (8, or 40 of Cosmos DB), so a customer's refunds stay under RES-REFUND-CAP's USD 50,000.
    const quantity = clamp(g.rng.int(1, offer.reservationType === 'cosmos_db' ? 40 : 8), offer);
    const res = reservationDoc(g, { offer, plan, quantity, purchasedAt });
    const order = g.draft(purchasedAt, 'one_time');
    g.addLine(order, reservationLine(offer, res, plan), {
      amount: res.priceCents,
      kind: 'charge',
      ruleId: null,
      source: { type: 'reservation', id: res._id },
    });
    g.closeOrder(order);
    g.out.reservations.push(res);
    if (res.status !== 'active' || g.now - purchasedAt < 2 * HOUR) continue;
    const outcome = g.rng.weighted([
      ['keep', 82],
      ['cancel', 11],
      ['exchange', 7],
    ] as const);
    if (outcome === 'keep') continue;
    const at = g.between(purchasedAt + HOUR, g.now - HOUR);
    const source = { type: 'reservation', id: res._id } as const;
    if (outcome === 'cancel') {
      const terms = reservationRefundTerms(res, new Date(at)); // RES-REFUND-TABLE
      res.status = 'cancelled';
      res.cancelledAt = new Date(at);
      g.ledger({
        amountCents: -terms.amountBeforeFeeCents,
        kind: 'refund',
        source,
        orderId: order.id,
        ruleId: 'RES-REFUND-TABLE',
        description: `Reservation refund: ${res.displayName}`,
        at,
      });
      g.ledger({
        amountCents: terms.feeCents,
        kind: 'fee',
        source,
        orderId: order.id,
        ruleId: 'RES-REFUND-TABLE',
        description: `Early termination fee: ${res.displayName}`,
        at,
      });
      // RES-REFUND-CAP: the refund after the fee counts toward the customer's cap (Tenant.finish keeps those still counted).
      if (terms.amountCents > 0) g.capRefunds.push({ reservationId: res._id, amountCents: terms.amountCents, at: new Date(at) });
    } else {
      // RES-EXCHANGE: the prorated refund is credited toward a new reservation of the same type costing at least as much.
      const refundable = exchangeCredit(res, new Date(at));
      res.status = 'exchanged';
      res.cancelledAt = new Date(at);
      const same = offers.filter((o) => o.reservationType === offer.reservationType);
      const newOffer = g.rng.pick(same);
      const newPlan = newOffer.billingPlans.find((p) => p.termDuration === plan.termDuration) ?? newOffer.billingPlans[0]!;
      const newQuantity = clamp(Math.max(quantity, Math.ceil(refundable / newPlan.unitPriceCents)), newOffer);
      const fresh = reservationDoc(g, { offer: newOffer, plan: newPlan, quantity: newQuantity, purchasedAt: at });
      const newOrder = g.draft(at, 'one_time');
      g.addLine(newOrder, reservationLine(newOffer, fresh, newPlan), {
        amount: fresh.priceCents,
        kind: 'charge',
        ruleId: 'RES-EXCHANGE',
        source: { type: 'reservation', id: fresh._id },
      });
      g.ledger({
        amountCents: -refundable,
        kind: 'credit',
        source,
        orderId: newOrder.id,
        ruleId: 'RES-EXCHANGE',
        description: `Exchange credit: ${res.displayName}`,
        at,
      });
      g.closeOrder(newOrder);
      // RES-EXCHANGE: the returned reservation names the new one, which names it back.
      res.exchangedForReservationId = fresh._id;
      fresh.exchangedFromReservationId = res._id;
      g.out.reservations.push(fresh);
    }
  }
}

interface ReservationPurchase {
  offer: OfferDoc;
  plan: BillingPlan;
  quantity: number;
  /** Epoch milliseconds. */
  purchasedAt: number;
}

function reservationDoc(g: Tenant, p: ReservationPurchase): ReservationDoc {
  const { offer, plan, quantity, purchasedAt } = p;
  const expiry = addTerm(new Date(purchasedAt), plan.termDuration).getTime();
  const age = g.now - purchasedAt;
  const utilization =
    age < DAY
      ? 0
      : atMost(new Date(purchasedAt), new Date(g.now), RES_FULL_REFUND_WINDOW) && g.rng.chance(0.4)
        ? 0
        : g.rng.weighted([
            [0, 3],
            [g.rng.int(20, 69), 25],
            [g.rng.int(70, 100), 72],
          ]);
  const scopeType = g.rng.weighted<ReservationScopeType>([
    ['single', 50],
    ['shared', 30],
    ['resource_group', 15],
    ['management_group', 5],
  ]);
  const azure = g.azureSubscriptionId!;
  const slug = g.customer.domain
    .split('.')[0]!
    .replace(/[0-9]+$/, '')
    .slice(0, 12);
  const prefix = { virtual_machines: 'VM_RI', sql_database: 'SQL_RI', cosmos_db: 'CosmosDB_RI' }[offer.reservationType!];
  const d = new Date(purchasedAt);
  const stamp = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${d.getUTCFullYear()}_${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}`;
  const c = g.customer;
  return {
    _id: g.ids.guid(),
    reservationOrderId: g.ids.guid(),
    partnerId: c.partnerId,
    customerId: c._id,
    offerId: offer._id,
    displayName: `${prefix}_${stamp}`,
    reservationType: offer.reservationType!,
    region: g.rng.pick(AZURE_REGIONS),
    quantity,
    termDuration: plan.termDuration === 'P3Y' ? 'P3Y' : 'P1Y',
    priceCents: plan.unitPriceCents * quantity,
    currency: offer.currency,
    purchasedAt: new Date(purchasedAt),
    expiryDateTime: new Date(expiry),
    scope: {
      type: scopeType,
      subscriptionId: scopeType === 'single' || scopeType === 'resource_group' ? azure : null,
      resourceGroupId: scopeType === 'resource_group' ? `rg-${slug}-${g.rng.pick(['prod', 'app', 'data', 'web'])}` : null,
      managementGroupId: scopeType === 'management_group' ? `mg-${slug}` : null,
    },
    azureSubscriptionId: azure,
    utilizationPercent: expiry <= g.now ? g.rng.int(60, 100) : utilization,
    hasUsage: utilization > 0 || expiry <= g.now,
    status: expiry <= g.now ? 'expired' : 'active',
    cancelledAt: null,
    exchangedForReservationId: null,
    exchangedFromReservationId: null,
    version: 0,
  };
}

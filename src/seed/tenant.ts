/**
 * One customer being generated: its random stream, ID slots and clock, the documents it adds, and
 * the helpers every builder (subscriptions, software orders, reservations) shares: random instants
 * in the customer's past, the catalog it may buy from, and orders with their ledger entries.
 */
import type {
  BillingCycle,
  BillingPlan,
  CustomerDoc,
  LedgerEntryDoc,
  OfferDoc,
  OrderLineItem,
  PartnerDoc,
  RefundCapDoc,
  ReservationDoc,
  SubscriptionDoc,
  TermDuration,
} from '../db/documents.js';
import { checkAvailable, segmentAllows } from '../policy/catalog.js';
import { pricesIncludeTax } from '../policy/money.js';
import { partnerIdOnRecord } from '../policy/new-docs.js';
import { applyRefundCap } from '../policy/reservation.js';
import { dataDeletionGraceDays } from '../policy/suspension.js';
import { MINUTE, SECOND } from '../policy/time.js';
import { OFFERS_BY_ID } from './catalog.js';
import type { Buffers } from './docs.js';
import { NICKNAMES } from './names.js';
import { orderIdFor, type IdSlots } from './ids.js';
import type { Rng } from './random.js';

/** A customer has 1 to 6 subscriptions, add-ons included. */
export const MAX_SUBSCRIPTIONS = 6;

export interface LedgerDraft {
  amount: number;
  kind: LedgerEntryDoc['kind'];
  ruleId: string | null;
  source: LedgerEntryDoc['source'];
}

export interface OrderDraft {
  id: string;
  at: number;
  billingCycle: BillingCycle;
  lines: OrderLineItem[];
  ledger: LedgerDraft[];
  /** Every line was cancelled for a full refund: the order shows cancelled. */
  fullyCancelled: boolean[];
}

export interface TenantArgs {
  rng: Rng;
  ids: IdSlots;
  /** The world's simulation instant, epoch milliseconds. */
  now: number;
  ordinal: number;
  orderKeys: readonly number[];
  customer: CustomerDoc;
  partner: PartnerDoc;
  out: Buffers;
}

export class Tenant {
  readonly rng: Rng;
  readonly ids: IdSlots;
  readonly now: number;
  readonly customer: CustomerDoc;
  readonly partner: PartnerDoc;
  readonly out: Buffers;
  /** Subscriptions added so far, add-ons included (at most MAX_SUBSCRIPTIONS). */
  subCount = 0;
  /** The Azure subscription its reservations are bought for, once it has one. */
  azureSubscriptionId: string | null = null;
  /** RES-REFUND-CAP: this customer's reservation refunds (after fees), for its cap record. */
  readonly capRefunds: RefundCapDoc['refunds'] = [];
  readonly opened: number;
  /** SUSP-DATA-DELETION: days from a suspension to the data's deletion. */
  readonly graceDays: number;
  readonly pricesIncludeTax: boolean;
  readonly partnerIdOnRecord: string;
  private purchaseNo = 0;
  private readonly ordinal: number;
  private readonly orderKeys: readonly number[];
  private readonly orderSlot: number;

  constructor(args: TenantArgs) {
    const { customer, partner } = args;
    this.rng = args.rng;
    this.ids = args.ids;
    this.now = args.now;
    this.ordinal = args.ordinal;
    this.orderKeys = args.orderKeys;
    this.customer = customer;
    this.partner = partner;
    this.out = args.out;
    this.opened = customer.accountOpenedAt.getTime();
    this.orderSlot = args.ids.prefix(24);
    this.graceDays = dataDeletionGraceDays(customer);
    this.pricesIncludeTax = pricesIncludeTax(customer.billingCountry);
    this.partnerIdOnRecord = partnerIdOnRecord(customer, partner);
  }

  /** Documents that summarise the customer once everything is generated: its refund-cap record. */
  finish(): void {
    // RES-REFUND-CAP: only the refunds the cap still counts at `now`.
    const refunds = applyRefundCap({ refunds: this.capRefunds }, 0, new Date(this.now)).counted;
    if (refunds.length === 0) return;
    refunds.sort((a, b) => a.at.getTime() - b.at.getTime());
    this.out.refundCaps.push({ _id: this.customer._id, partnerId: this.customer.partnerId, refunds, version: 0 });
  }

  // ---- random time -------------------------------------------------------------------------

  /** A whole-second instant in [lo, hi]. */
  between(lo: number, hi: number): number {
    const a = Math.ceil(lo / SECOND);
    const b = Math.floor(hi / SECOND);
    return (b < a ? a : this.rng.int(a, b)) * SECOND;
  }

  /** An instant between maxAgo and minAgo before now, not before the account opened; null if none. */
  past(minAgo: number, maxAgo: number): number | null {
    const lo = Math.max(this.now - maxAgo, this.opened + MINUTE);
    const hi = this.now - minAgo;
    return hi < lo ? null : this.between(lo, hi);
  }

  nextOrderId(): string {
    return orderIdFor(this.orderKeys, this.orderSlot, this.ordinal, this.purchaseNo++);
  }

  // ---- catalog -----------------------------------------------------------------------------

  /** CAT-FILTER, CAT-UNAVAILABLE: whether the customer may buy the offer through its partner. */
  available(offer: OfferDoc): boolean {
    return segmentAllows(offer, this.customer) && checkAvailable(offer, this.customer, this.partner, 'offerId') === null;
  }

  planOf(offer: OfferDoc, cycle: BillingCycle, term: TermDuration): BillingPlan | undefined {
    return offer.billingPlans.find((p) => p.billingCycle === cycle && p.termDuration === term);
  }

  pickPlan(offer: OfferDoc): BillingPlan {
    if (offer.billingPlans.length === 1) return offer.billingPlans[0]!;
    return this.rng.weighted(
      offer.billingPlans.map((p): [BillingPlan, number] => {
        if (p.termDuration === 'P1M') return [p, 25];
        if (p.termDuration === 'P3Y') return [p, 3];
        return [p, p.billingCycle === 'monthly' ? 45 : 25];
      }),
    );
  }

  pickQuantity(offer: OfferDoc): number {
    if (offer.maxQuantity <= offer.minQuantity) return offer.minQuantity;
    const [lo, hi] = this.rng.weighted<[number, number]>([
      [[1, 5], 35],
      [[6, 25], 35],
      [[26, 100], 20],
      [[101, 300], 8],
      [[301, 2000], 2],
    ]);
    const min = Math.max(offer.minQuantity, Math.min(lo, offer.maxQuantity));
    const max = Math.min(offer.maxQuantity, hi);
    return min >= max ? min : this.rng.int(min, max);
  }

  nickname(offer: OfferDoc): string {
    return this.rng.chance(0.25) ? `${offer.name} - ${this.rng.pick(NICKNAMES)}` : offer.name;
  }

  // ---- orders and ledger -------------------------------------------------------------------

  draft(at: number, billingCycle: BillingCycle): OrderDraft {
    return { id: this.nextOrderId(), at, billingCycle, lines: [], ledger: [], fullyCancelled: [] };
  }

  addLine(d: OrderDraft, line: Omit<OrderLineItem, 'lineItemNumber'>, charge: LedgerDraft | null, fullyCancelled = false): void {
    d.lines.push({ lineItemNumber: d.lines.length, ...line });
    if (charge && charge.amount !== 0) d.ledger.push(charge);
    d.fullyCancelled.push(fullyCancelled);
  }

  closeOrder(d: OrderDraft): void {
    if (d.lines.length === 0) return;
    const c = this.customer;
    this.out.orders.push({
      _id: d.id,
      partnerId: c.partnerId,
      customerId: c._id,
      billingCycle: d.billingCycle,
      currencyCode: 'USD',
      creationDate: new Date(d.at),
      status: d.fullyCancelled.every(Boolean) ? 'cancelled' : 'completed',
      lineItems: d.lines,
      totalPriceCents: d.lines.reduce((sum, l) => sum + l.totalPriceCents, 0),
      pricesIncludeTax: this.pricesIncludeTax,
      version: 0,
    });
    for (const entry of d.ledger) {
      const line = d.lines.find((l) => l.subscriptionId === entry.source.id || l.reservationId === entry.source.id);
      this.ledger({
        amountCents: entry.amount,
        kind: entry.kind,
        source: entry.source,
        orderId: d.id,
        ruleId: entry.ruleId,
        description: describeLine(line),
        at: d.at,
      });
    }
  }

  /** MONEY-EXACT: one ledger entry of the partner; a zero amount records nothing. */
  ledger(e: {
    amountCents: number;
    kind: LedgerEntryDoc['kind'];
    source: LedgerEntryDoc['source'];
    orderId: string | null;
    ruleId: string | null;
    description: string;
    at: number;
  }): void {
    if (e.amountCents === 0) return;
    const c = this.customer;
    this.out.ledger.push({
      _id: this.ids.guid(),
      partnerId: c.partnerId,
      customerId: c._id,
      amountCents: e.amountCents,
      currency: 'USD',
      kind: e.kind,
      source: e.source,
      orderId: e.orderId,
      ruleId: e.ruleId,
      description: e.description,
      at: new Date(e.at),
    });
  }
}

export function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function clamp(quantity: number, offer: OfferDoc): number {
  return Math.min(offer.maxQuantity, Math.max(offer.minQuantity, quantity));
}

export function lineFor(
  offer: OfferDoc,
  sub: SubscriptionDoc,
  transactionType: OrderLineItem['transactionType'],
  total: number,
): Omit<OrderLineItem, 'lineItemNumber'> {
  return {
    offerId: offer._id,
    subscriptionId: sub._id,
    reservationId: null,
    friendlyName: sub.friendlyName,
    quantity: sub.quantity,
    billingCycle: sub.billingCycle,
    termDuration: sub.termDuration,
    transactionType,
    unitPriceCents: sub.unitPriceCents,
    totalPriceCents: total,
  };
}

export function reservationLine(offer: OfferDoc, res: ReservationDoc, plan: BillingPlan): Omit<OrderLineItem, 'lineItemNumber'> {
  return {
    offerId: offer._id,
    subscriptionId: null,
    reservationId: res._id,
    friendlyName: res.displayName,
    quantity: res.quantity,
    billingCycle: 'one_time',
    termDuration: plan.termDuration,
    transactionType: 'new',
    unitPriceCents: plan.unitPriceCents,
    totalPriceCents: res.priceCents,
  };
}

function describeLine(line: OrderLineItem | undefined): string {
  if (!line) return 'Order charge';
  const offer = OFFERS_BY_ID.get(line.offerId);
  const plan = line.termDuration ? `${line.termDuration}, billed ${line.billingCycle.replace('_', '-')}` : line.billingCycle;
  return `${offer?.name ?? line.offerId} x ${line.quantity} (${plan})`;
}

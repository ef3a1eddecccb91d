/**
 * Azure reservations (RES-*): buying one (RES-MARKETS, PRICE-TAX), changing its scope or Azure
 * subscription (RES-MANAGE), cancelling it for a refund (RES-CANCEL, RES-REFUND-TABLE,
 * RES-REFUND-CAP, RES-PARTNER-CREDIT) and exchanging it for another (RES-EXCHANGE). As everywhere
 * in this folder, a decision is both the mutation and its quote (dryRun, allowedActions,
 * refundQuote), so they can never disagree.
 */
import type {
  CustomerDoc,
  OfferDoc,
  OrderDoc,
  OrderLineItem,
  PartnerDoc,
  RefundCapDoc,
  ReservationDoc,
  ReservationScopeType,
  TermDuration,
} from '../db/documents.js';
import { checkAvailable, checkQuantity, checkSegment, planFor } from './catalog.js';
import { auditFor, capital, iso } from './common.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { AuditEffect, Effect, IdSource, LedgerEffect, UpdateEffect } from './effects.js';
import { formatMoney, percentOf, pricesIncludeTax, proratedRefund } from './money.js';
import { checkReservationMarket } from './reservation-markets.js';
import { checkRole } from './roles.js';
import type { Caller } from '../shared/caller.js';
import type { RuleId } from './rule-ids.js';
import { addMonths, addTerm, atMost, DAY, termMonths, within } from './time.js';
import { phrased } from './mood.js';

export type Reservation = ReservationDoc;
export type ReservationBillingPlan = NonNullable<ReservationDoc['billingPlan']>;

/** RES-REFUND-TABLE: "5 days or fewer" after purchase, i.e. elapsed <= 5 x 24 h (GEN-WINDOW). */
export const RES_FULL_REFUND_WINDOW = 5 * DAY;
/** RES-REFUND-TABLE: the early termination fee after 5 days, a percentage of the prorated amount. */
export const RES_EARLY_TERMINATION_FEE_PERCENT = 12;
/** RES-REFUND-CAP: USD 50,000 of refunds ... */
export const RES_REFUND_CAP_CENTS = 5_000_000;
/** RES-REFUND-CAP: ... per customer over a rolling 365 days of the simulation clock. */
export const RES_REFUND_CAP_WINDOW = 365 * DAY;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Azure region names: `westeurope`, `eastus2` ... */
const REGION = /^[a-z][a-z0-9]{2,39}$/;
/** Azure resource group names: letters, digits, `_ - . ( )`, up to 90, not ending with a period. */
const RESOURCE_GROUP = /^[\w\-.()]{0,89}[\w\-()]$/;
/** Azure management group IDs: letters, digits, `_ - . ( )`, up to 90. */
const MANAGEMENT_GROUP = /^[\w\-.()]{1,90}$/;
const MAX_DISPLAY_NAME = 64;

// ---- small shared pieces ------------------------------------------------------------------------

function describeRes(r: Pick<Reservation, '_id' | 'displayName'>): string {
  return `reservation '${r.displayName}' (${r._id})`;
}

/** An update of one reservation, conditional on the version the decision saw. */
function updateRes(r: Pick<Reservation, '_id' | 'version'>, set: Partial<Reservation>): UpdateEffect {
  return { kind: 'update', collection: 'reservations', id: r._id, expectedVersion: r.version, set: set as Record<string, unknown> };
}

/** MONEY-EXACT: a ledger entry of the partner tied to the reservation that caused it and the rule that produced it. */
function reservationLedger(
  r: Pick<Reservation, '_id' | 'partnerId' | 'customerId' | 'currency'>,
  args: { amountCents: number; kind: LedgerEffect['entry']['kind']; rule: RuleId; description: string; at: Date; orderId?: string | null },
): LedgerEffect {
  return {
    kind: 'ledger',
    entry: {
      partnerId: r.partnerId,
      customerId: r.customerId,
      amountCents: args.amountCents,
      currency: r.currency,
      kind: args.kind,
      source: { type: 'reservation', id: r._id },
      orderId: args.orderId ?? null,
      ruleId: args.rule,
      description: args.description,
      at: args.at,
    },
  };
}

/**
 * RES-PARTNER-CREDIT: a reservation refund or exchange credit goes to the partner, never straight
 * to the customer: it is a credit (negative amount) on the partner's ledger, with source type
 * 'reservation'. The ledger is the partner's account with Microsoft; refunding the customer is the
 * partner's own business and nothing here writes to the customer.
 */
export function partnerCredit(
  r: Pick<Reservation, '_id' | 'partnerId' | 'customerId' | 'currency'>,
  args: { amountCents: number; kind: 'refund' | 'credit'; rule: RuleId; description: string; at: Date; orderId?: string | null },
): LedgerEffect {
  return reservationLedger(r, { ...args, amountCents: -Math.abs(args.amountCents) });
}

function reservationAudit(args: {
  actor: Caller;
  r: Reservation;
  operationType: string;
  at: Date;
  before?: unknown;
  after?: unknown;
}): AuditEffect {
  const { actor, r, operationType, at, before, after } = args;
  return auditFor(actor, {
    partnerId: r.partnerId,
    customerId: r.customerId,
    operationType,
    resourceType: 'reservation',
    resourceId: r._id,
    at,
    before,
    after,
  });
}

/** Active: neither cancelled nor exchanged, and before its expiry (the clock may have passed it). */
function isActiveAt(r: Pick<Reservation, 'status' | 'expiryDateTime'>, now: Date): boolean {
  return r.status === 'active' && now.getTime() < r.expiryDateTime.getTime();
}

/**
 * A reservation must be active (not cancelled, exchanged or past its expiry) for `what`; the
 * refusal cites `rule` (RES-CANCEL, RES-EXCHANGE or RES-MANAGE).
 */
export function checkReservationActive(r: Reservation, now: Date, rule: RuleId, what: string): Refused | null {
  if (isActiveAt(r, now)) return null;
  const state =
    r.status === 'active' || r.status === 'expired'
      ? `expired at ${iso(r.expiryDateTime)}`
      : r.status === 'exchanged'
        ? `exchanged${r.exchangedForReservationId ? ` for reservation ${r.exchangedForReservationId}` : ''}${r.cancelledAt ? ` at ${iso(r.cancelledAt)}` : ''}`
        : `cancelled${r.cancelledAt ? ` at ${iso(r.cancelledAt)}` : ''}`;
  return refuse(rule, 'INVALID_STATUS', `${capital(describeRes(r))} is ${state}; only an active reservation can be ${what}.`);
}

// ---- what is paid, when ------------------------------------------------------------------------

/**
 * The instalments of a reservation's commitment: upfront, all of it at purchase; monthly, equal
 * parts on each monthly anniversary of the purchase (12 or 36), the odd cents on the first ones.
 */
export function instalments(
  r: Pick<Reservation, 'priceCents' | 'purchasedAt' | 'termDuration' | 'billingPlan'>,
): { n: number; at: Date; amountCents: number }[] {
  if ((r.billingPlan ?? 'upfront') === 'upfront') return [{ n: 0, at: r.purchasedAt, amountCents: r.priceCents }];
  const months = termMonths(r.termDuration);
  const base = Math.floor(r.priceCents / months);
  const extra = r.priceCents % months;
  return Array.from({ length: months }, (_, n) => ({ n, at: addMonths(r.purchasedAt, n), amountCents: base + (n < extra ? 1 : 0) }));
}

/** What the partner has been charged for the reservation up to `now` (instalments due at or before it). */
export function paidBy(r: Pick<Reservation, 'priceCents' | 'purchasedAt' | 'termDuration' | 'billingPlan'>, now: Date): number {
  return instalments(r)
    .filter((i) => i.at.getTime() <= now.getTime())
    .reduce((sum, i) => sum + i.amountCents, 0);
}

/** The ledger charges of a new reservation: one per instalment, each dated when it falls due. */
function chargesFor(r: Reservation, rule: RuleId, orderId: string): LedgerEffect[] {
  const parts = instalments(r);
  return parts.map((p) =>
    reservationLedger(r, {
      amountCents: p.amountCents,
      kind: 'charge',
      rule,
      description:
        parts.length === 1
          ? `Reservation: ${r.displayName} (${r.termDuration}, paid upfront)`
          : `Reservation: ${r.displayName}, instalment ${p.n + 1} of ${parts.length}`,
      at: p.at,
      orderId,
    }),
  );
}

/** Instalments not yet due when a monthly reservation ends early are credited back, each on its own date. */
function cancelledInstalments(r: Reservation, now: Date, rule: RuleId): LedgerEffect[] {
  const parts = instalments(r);
  return parts
    .filter((p) => p.at.getTime() > now.getTime())
    .map((p) =>
      partnerCredit(r, {
        amountCents: p.amountCents,
        kind: 'credit',
        rule,
        description: `Instalment ${p.n + 1} of ${parts.length} of ${r.displayName} cancelled: the reservation ended ${iso(now)}`,
        at: p.at,
      }),
    );
}

// ---- refunds -------------------------------------------------------------------------------------

export interface ReservationRefundTerms {
  /** full: 100 % of what was paid; prorated: the unused balance; prorated_minus_fee: that less 12 %. */
  basis: 'full' | 'prorated' | 'prorated_minus_fee';
  /** What the partner was charged for the reservation up to now. */
  paidCents: number;
  /** The remaining prorated balance: paid - price x days used / days in term (MONEY-PRORATE). */
  proratedCents: number;
  /** The refund before the fee. */
  amountBeforeFeeCents: number;
  feeCents: number;
  /** The refund after the fee, before RES-REFUND-CAP. */
  amountCents: number;
}

/**
 * RES-REFUND-TABLE: cancelled 5 days or fewer after purchase (elapsed <= 5 x 24 h, GEN-WINDOW)
 * without usage: 100 % of what was paid, no fee; 5 days or fewer with usage: the prorated
 * remaining balance, no fee; more than 5 days: the prorated balance minus an early termination
 * fee of 12 % of it (decision), rounded half up. The prorated balance follows MONEY-PRORATE over
 * the term from purchase to expiry (started days used, calendar days in the term).
 */
export function reservationRefundTerms(r: Reservation, now: Date): ReservationRefundTerms {
  const paidCents = paidBy(r, now);
  const proratedCents = proratedRefund({
    chargedCents: paidCents,
    termPriceCents: r.priceCents,
    termStart: r.purchasedAt,
    termEnd: r.expiryDateTime,
    at: now,
  });
  if (atMost(r.purchasedAt, now, RES_FULL_REFUND_WINDOW)) {
    const amount = r.hasUsage ? proratedCents : paidCents;
    return {
      basis: r.hasUsage ? 'prorated' : 'full',
      paidCents,
      proratedCents,
      amountBeforeFeeCents: amount,
      feeCents: 0,
      amountCents: amount,
    };
  }
  const feeCents = percentOf(proratedCents, RES_EARLY_TERMINATION_FEE_PERCENT);
  return {
    basis: 'prorated_minus_fee',
    paidCents,
    proratedCents,
    amountBeforeFeeCents: proratedCents,
    feeCents,
    amountCents: proratedCents - feeCents,
  };
}

export interface RefundCapOutcome {
  /** Refunds of the customer still inside the window at `now`. */
  counted: RefundCapDoc['refunds'];
  countedCents: number;
  /** What the cap left before this refund. */
  leftBeforeCents: number;
  amountBeforeCapCents: number;
  /** The refund paid: the amount, reduced to what was left. */
  refundCents: number;
  capApplied: boolean;
  capReductionCents: number;
  leftAfterCents: number;
}

/**
 * RES-REFUND-CAP: refunds are capped at USD 50,000 per customer over a rolling 365 days of the
 * simulation clock (decision). A refund counts while it is less than 365 days old (elapsed <
 * 365 x 24 h, GEN-WINDOW's "within"): one made exactly 365 days ago no longer counts. A refund
 * above what is left is reduced to it, and the outcome says by how much. Exchanges do not count
 * (RES-EXCHANGE).
 */
export function applyRefundCap(cap: Pick<RefundCapDoc, 'refunds'> | null, amountCents: number, now: Date): RefundCapOutcome {
  const counted = (cap?.refunds ?? []).filter((e) => within(e.at, now, RES_REFUND_CAP_WINDOW));
  const countedCents = counted.reduce((sum, e) => sum + e.amountCents, 0);
  const leftBeforeCents = Math.max(0, RES_REFUND_CAP_CENTS - countedCents);
  const refundCents = Math.min(amountCents, leftBeforeCents);
  return {
    counted,
    countedCents,
    leftBeforeCents,
    amountBeforeCapCents: amountCents,
    refundCents,
    capApplied: refundCents < amountCents,
    capReductionCents: amountCents - refundCents,
    leftAfterCents: leftBeforeCents - refundCents,
  };
}

/**
 * RES-REFUND-CAP: records a refund in the customer's cap document: inserted with the first refund,
 * afterwards a version-conditional update that appends it and drops entries no longer counted.
 * The write path holds the customer's lock and checks the version, so two cancellations can never
 * both spend what was left.
 */
function capEffects(
  cap: RefundCapDoc | null,
  customer: Pick<Reservation, 'customerId' | 'partnerId'>,
  counted: RefundCapDoc['refunds'],
  entry: RefundCapDoc['refunds'][number],
): Effect[] {
  if (entry.amountCents <= 0) return [];
  if (cap === null) {
    return [
      {
        kind: 'insert',
        collection: 'refundCaps',
        doc: { _id: customer.customerId, partnerId: customer.partnerId, refunds: [entry], version: 0 },
      },
    ];
  }
  return [{ kind: 'update', collection: 'refundCaps', id: cap._id, expectedVersion: cap.version, set: { refunds: [...counted, entry] } }];
}

// ---- cancel --------------------------------------------------------------------------------------

export interface CancelReservationInput {
  reservation: Reservation;
  /** The customer's RES-REFUND-CAP document, null before its first refund. */
  refundCap: RefundCapDoc | null;
  actor: Caller;
  now: Date;
}

export interface CancelReservationOutcome extends ReservationRefundTerms, Omit<RefundCapOutcome, 'counted'> {
  effects: Effect[];
  reservation: Reservation;
  /** The rule that decided the amount: RES-REFUND-TABLE, or RES-REFUND-CAP when the cap reduced it. */
  rule: RuleId;
  /** RES-PARTNER-CREDIT: always the partner. */
  creditedTo: 'partner';
  currency: string;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/**
 * RES-CANCEL: an active reservation can be cancelled at any time; the remaining prorated balance,
 * minus any early termination fee (RES-REFUND-TABLE), capped (RES-REFUND-CAP), is refunded to
 * the partner (RES-PARTNER-CREDIT), who refunds the customer. A monthly reservation's instalments
 * not yet due are credited back, so nothing more is charged for it.
 */
export function decideCancelReservation(input: CancelReservationInput): Decision<CancelReservationOutcome> {
  const { reservation: r, refundCap, actor, now } = input;
  const bad = checkRole(actor, 'ROLE-RESERVATIONS', 'cancel a reservation') ?? checkReservationActive(r, now, 'RES-CANCEL', 'cancelled');
  if (bad) return bad;
  const terms = reservationRefundTerms(r, now);
  const { counted, ...cap } = applyRefundCap(refundCap, terms.amountCents, now);
  const rule: RuleId = cap.capApplied ? 'RES-REFUND-CAP' : 'RES-REFUND-TABLE';
  const set: Partial<Reservation> = { status: 'cancelled', cancelledAt: now };
  const money = (cents: number) => formatMoney(cents, r.currency);
  const how =
    terms.basis === 'full'
      ? `100 % of ${money(terms.paidCents)} (5 days or fewer, no usage)`
      : terms.basis === 'prorated'
        ? `the prorated balance ${money(terms.proratedCents)} (5 days or fewer, with usage)`
        : `the prorated balance ${money(terms.proratedCents)} minus the ${RES_EARLY_TERMINATION_FEE_PERCENT} % early termination fee ${money(terms.feeCents)}`;
  const capNote = cap.capApplied
    ? `; the USD 50,000 refund cap over 365 days left ${money(cap.leftBeforeCents)}, so the refund is reduced by ${money(cap.capReductionCents)}`
    : '';
  const effects: Effect[] = [
    updateRes(r, set),
    ...capEffects(refundCap, r, counted, { reservationId: r._id, amountCents: cap.refundCents, at: now }),
  ];
  if (cap.refundCents > 0) {
    effects.push(
      partnerCredit(r, {
        amountCents: cap.refundCents,
        kind: 'refund',
        rule,
        description: `Reservation refund to the partner: ${r.displayName}: ${how}${capNote}`,
        at: now,
      }),
    );
  }
  effects.push(
    ...cancelledInstalments(r, now, 'RES-CANCEL'),
    reservationAudit({
      actor,
      r,
      operationType: 'cancel_reservation',
      at: now,
      before: { status: r.status },
      after: { ...set, refundCents: cap.refundCents },
    }),
  );
  return allow({
    effects,
    reservation: { ...r, ...set },
    ...terms,
    ...cap,
    rule,
    creditedTo: 'partner' as const,
    currency: r.currency,
    ...phrased(
      `${capital(describeRes(r))} cancelled: ${money(cap.refundCents)} refunded to the partner, ${how}${capNote}. The partner refunds the customer.`,
      `Would cancel ${describeRes(r)}: ${money(cap.refundCents)} would be refunded to the partner, ${how}${capNote}. The partner would refund the customer.`,
    ),
  });
}

// ---- buy -----------------------------------------------------------------------------------------

export interface ReservationScopeInput {
  type: ReservationScopeType;
  subscriptionId?: string | null;
  resourceGroupId?: string | null;
  managementGroupId?: string | null;
}

/** What a reservation is bought with (purchase and exchange). */
export interface ReservationRequest {
  termDuration: TermDuration;
  quantity: number;
  /** Azure region, e.g. westeurope. */
  region: string;
  scope: ReservationScopeInput;
  /** The Azure subscription the reservation is associated with and billed to (RES-MANAGE). */
  azureSubscriptionId: string;
  billingPlan: ReservationBillingPlan;
  displayName?: string | null;
}

const SCOPE_NEEDS: Record<ReservationScopeType, { subscriptionId: boolean; resourceGroupId: boolean; managementGroupId: boolean }> = {
  single: { subscriptionId: true, resourceGroupId: false, managementGroupId: false },
  shared: { subscriptionId: false, resourceGroupId: false, managementGroupId: false },
  resource_group: { subscriptionId: true, resourceGroupId: true, managementGroupId: false },
  management_group: { subscriptionId: false, resourceGroupId: false, managementGroupId: true },
};

const SCOPE_LABEL: Record<ReservationScopeType, string> = {
  single: 'single subscription',
  shared: 'shared',
  resource_group: 'resource group',
  management_group: 'management group',
};

/**
 * RES-MANAGE: a scope names what its type needs and nothing else: single, an Azure subscription
 * (GUID); resource group, a subscription and the group's name; management group, the group's ID;
 * shared, nothing.
 */
export function validateScope(scope: ReservationScopeInput, field = 'scope'): Reservation['scope'] | Refused {
  const needs = SCOPE_NEEDS[scope.type];
  const label = SCOPE_LABEL[scope.type];
  const given = {
    subscriptionId: scope.subscriptionId?.trim() || null,
    resourceGroupId: scope.resourceGroupId?.trim() || null,
    managementGroupId: scope.managementGroupId?.trim() || null,
  };
  for (const key of ['subscriptionId', 'resourceGroupId', 'managementGroupId'] as const) {
    if (needs[key] && given[key] === null) {
      return refuse('RES-MANAGE', 'INVALID_VALUE', `A ${label} scope needs ${key}.`, `${field}.${key}`);
    }
    if (!needs[key] && given[key] !== null) {
      return refuse('RES-MANAGE', 'INVALID_VALUE', `A ${label} scope takes no ${key}; got '${given[key]}'.`, `${field}.${key}`);
    }
  }
  if (given.subscriptionId !== null && !GUID.test(given.subscriptionId)) {
    return refuse(
      'RES-MANAGE',
      'INVALID_VALUE',
      `The scope's subscriptionId must be an Azure subscription ID (GUID); got '${given.subscriptionId.slice(0, 80)}'.`,
      `${field}.subscriptionId`,
    );
  }
  if (given.resourceGroupId !== null && !RESOURCE_GROUP.test(given.resourceGroupId)) {
    return refuse(
      'RES-MANAGE',
      'INVALID_VALUE',
      `The resource group name must be 1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'; got '${given.resourceGroupId.slice(0, 100)}'.`,
      `${field}.resourceGroupId`,
    );
  }
  if (given.managementGroupId !== null && !MANAGEMENT_GROUP.test(given.managementGroupId)) {
    return refuse(
      'RES-MANAGE',
      'INVALID_VALUE',
      `The management group ID must be 1 to 90 letters, digits, '_', '-', '.', '(' or ')'; got '${given.managementGroupId.slice(0, 100)}'.`,
      `${field}.managementGroupId`,
    );
  }
  return { type: scope.type, ...given, subscriptionId: given.subscriptionId?.toLowerCase() ?? null };
}

/** RES-MANAGE: the associated Azure subscription is an Azure subscription ID (GUID). */
export function checkAzureSubscriptionId(id: string, field = 'azureSubscriptionId'): Refused | null {
  return GUID.test(id.trim())
    ? null
    : refuse(
        'RES-MANAGE',
        'INVALID_VALUE',
        `azureSubscriptionId must be an Azure subscription ID (GUID); got '${id.slice(0, 80)}'.`,
        field,
      );
}

function defaultDisplayName(offer: OfferDoc, now: Date): string {
  const prefix = { virtual_machines: 'VM_RI', sql_database: 'SQL_RI', cosmos_db: 'CosmosDB_RI' }[offer.reservationType!];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${prefix}_${p(now.getUTCMonth() + 1)}-${p(now.getUTCDate())}-${now.getUTCFullYear()}_${p(now.getUTCHours())}-${p(now.getUTCMinutes())}`;
}

/**
 * A new reservation of `offer` for `customer` (purchase and exchange), or the refusal of the first
 * check that fails: a reservation offer (CAT-CART), an available market (RES-MARKETS), the
 * customer's segment (CAT-FILTER) and the offer's availability (CAT-UNAVAILABLE), a 1- or 3-year
 * term the offer has, the quantity, a region, the scope and Azure subscription (RES-MANAGE).
 * Priced per PRICE-TAX: the catalog price, which includes tax for customers in AU and BR.
 */
export function newReservation(args: {
  customer: CustomerDoc;
  partner: PartnerDoc;
  offer: OfferDoc;
  request: ReservationRequest;
  now: Date;
  ids: IdSource;
  exchangedFromReservationId?: string | null;
}): Reservation | Refused {
  const { customer, partner, offer, request: q, now, ids } = args;
  if (offer.commerceType !== 'reservation' || offer.reservationType === null) {
    return refuse('CAT-CART', 'NOT_SUPPORTED', `Offer '${offer.name}' is not an Azure reservation.`, 'offerId');
  }
  const bad =
    checkReservationMarket(customer) ??
    checkSegment(offer, customer, 'offerId') ??
    checkAvailable(offer, customer, partner, 'offerId') ??
    checkQuantity(offer, q.quantity, 'quantity', 'CAT-CART');
  if (bad) return bad;
  const term = q.termDuration;
  const plan = term === 'P1M' ? undefined : planFor(offer, 'one_time', term);
  if (!plan || term === 'P1M') {
    const terms = offer.billingPlans.map((p) => p.termDuration).join(', ');
    return refuse('CAT-CART', 'NOT_ELIGIBLE', `Reservation '${offer.name}' is bought for ${terms}; got ${q.termDuration}.`, 'termDuration');
  }
  const region = q.region.trim().toLowerCase();
  if (!REGION.test(region)) {
    return refuse(
      'CAT-CART',
      'INVALID_VALUE',
      `region must be an Azure region name such as 'westeurope'; got '${q.region.slice(0, 60)}'.`,
      'region',
    );
  }
  const scope = validateScope(q.scope);
  if ('allowed' in scope) return scope;
  const azure = checkAzureSubscriptionId(q.azureSubscriptionId);
  if (azure) return azure;
  const displayName = q.displayName?.trim() || defaultDisplayName(offer, now);
  if (displayName.length > MAX_DISPLAY_NAME) {
    return refuse(
      'RES-MANAGE',
      'INVALID_VALUE',
      `displayName has at most ${MAX_DISPLAY_NAME} characters; got ${displayName.length}.`,
      'displayName',
    );
  }
  return {
    // IdSource GUIDs: the reservation and its Azure reservation order, derived from the operation.
    _id: ids.subscription(0),
    reservationOrderId: ids.subscription(1),
    partnerId: customer.partnerId,
    customerId: customer._id,
    offerId: offer._id,
    displayName,
    reservationType: offer.reservationType,
    region,
    quantity: q.quantity,
    termDuration: term,
    priceCents: plan.unitPriceCents * q.quantity,
    billingPlan: q.billingPlan,
    currency: offer.currency,
    purchasedAt: now,
    expiryDateTime: addTerm(now, term),
    scope,
    azureSubscriptionId: q.azureSubscriptionId.trim().toLowerCase(),
    utilizationPercent: 0,
    hasUsage: false,
    status: 'active',
    cancelledAt: null,
    exchangedForReservationId: null,
    exchangedFromReservationId: args.exchangedFromReservationId ?? null,
    version: 0,
  };
}

/** The order of a new reservation: one line, one-time (upfront) or monthly (PRICE-TAX says whether tax is included). */
function reservationOrder(id: string, customer: CustomerDoc, r: Reservation, unitPriceCents: number): OrderDoc {
  const billingCycle = r.billingPlan === 'monthly' ? 'monthly' : 'one_time';
  const line: OrderLineItem = {
    lineItemNumber: 0,
    offerId: r.offerId,
    subscriptionId: null,
    reservationId: r._id,
    friendlyName: r.displayName,
    quantity: r.quantity,
    billingCycle,
    termDuration: r.termDuration,
    transactionType: 'new',
    unitPriceCents,
    totalPriceCents: r.priceCents,
  };
  return {
    _id: id,
    partnerId: customer.partnerId,
    customerId: customer._id,
    billingCycle,
    currencyCode: r.currency,
    creationDate: r.purchasedAt,
    status: 'completed',
    lineItems: [line],
    totalPriceCents: r.priceCents,
    pricesIncludeTax: pricesIncludeTax(customer.billingCountry),
    version: 0,
  };
}

export interface PurchaseReservationInput {
  customer: CustomerDoc;
  partner: PartnerDoc;
  offer: OfferDoc;
  request: ReservationRequest;
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface PurchaseReservationOutcome {
  effects: Effect[];
  reservation: Reservation;
  orderId: string;
  priceCents: number;
  /** What is charged now: the whole price upfront, or the first monthly instalment. */
  chargedNowCents: number;
  currency: string;
  /** PRICE-TAX. */
  pricesIncludeTax: boolean;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/**
 * Buying an Azure reservation (ROLE-SOFTWARE: "buy and manage software subscriptions and Azure
 * reservations"): refused in the markets of RES-MARKETS; priced per PRICE-TAX; the commitment is
 * charged to the partner upfront, or in monthly instalments, each a ledger charge dated when due.
 */
export function decidePurchaseReservation(input: PurchaseReservationInput): Decision<PurchaseReservationOutcome> {
  const { customer, offer, actor, now, ids } = input;
  const role = checkRole(actor, 'ROLE-SOFTWARE', 'buy Azure reservations');
  if (role) return role;
  const r = newReservation(input);
  if ('allowed' in r) return r;
  const orderId = ids.order(0);
  const order = reservationOrder(orderId, customer, r, r.priceCents / r.quantity);
  const charges = chargesFor(r, 'CAT-CART', orderId);
  const chargedNowCents = paidBy(r, now);
  const taxIncluded = pricesIncludeTax(customer.billingCountry);
  return allow({
    effects: [
      { kind: 'insert', collection: 'orders', doc: order },
      { kind: 'insert', collection: 'reservations', doc: r },
      ...charges,
      auditFor(actor, {
        partnerId: customer.partnerId,
        customerId: customer._id,
        operationType: 'create_order',
        resourceType: 'order',
        resourceId: orderId,
        at: now,
        after: { reservationId: r._id, offerId: offer._id, quantity: r.quantity, totalPriceCents: r.priceCents },
      }),
    ],
    reservation: r,
    orderId,
    priceCents: r.priceCents,
    chargedNowCents,
    currency: r.currency,
    pricesIncludeTax: taxIncluded,
    ...phrased(
      `Order ${orderId}: ${describeRes(r)}, ${r.quantity} x '${offer.name}' in ${r.region} for ${r.termDuration}, ` +
        `${formatMoney(r.priceCents, r.currency)} ${r.billingPlan === 'monthly' ? `in ${charges.length} monthly instalments` : 'paid upfront'}; ` +
        `prices ${taxIncluded ? 'include' : 'exclude'} tax (PRICE-TAX).`,
      `Would order ${describeRes(r)}, ${r.quantity} x '${offer.name}' in ${r.region} for ${r.termDuration}, ` +
        `${formatMoney(r.priceCents, r.currency)} ${r.billingPlan === 'monthly' ? `in ${charges.length} monthly instalments` : 'paid upfront'}; ` +
        `prices ${taxIncluded ? 'include' : 'exclude'} tax (PRICE-TAX).`,
    ),
  });
}

// ---- manage --------------------------------------------------------------------------------------

export interface UpdateReservationInput {
  reservation: Reservation;
  patch: { scope?: ReservationScopeInput | null; azureSubscriptionId?: string | null };
  actor: Caller;
  now: Date;
}

export interface ReservationChangeOutcome {
  effects: Effect[];
  reservation: Reservation;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/**
 * RES-MANAGE: an active reservation's scope and its associated Azure subscription can be changed,
 * each validated (the fields its scope type needs; GUIDs); asking for what is already set is
 * NO_CHANGE.
 */
export function decideUpdateReservation(input: UpdateReservationInput): Decision<ReservationChangeOutcome> {
  const { reservation: r, patch, actor, now } = input;
  const bad = checkRole(actor, 'ROLE-RESERVATIONS', 'change a reservation') ?? checkReservationActive(r, now, 'RES-MANAGE', 'changed');
  if (bad) return bad;
  if (!patch.scope && (patch.azureSubscriptionId ?? null) === null) {
    return refuse('RES-MANAGE', 'INVALID_VALUE', 'Give a new scope, a new azureSubscriptionId, or both.');
  }
  const set: Partial<Reservation> = {};
  if (patch.scope) {
    const scope = validateScope(patch.scope);
    if ('allowed' in scope) return scope;
    if (JSON.stringify(scope) !== JSON.stringify(r.scope)) set.scope = scope;
  }
  if (patch.azureSubscriptionId !== undefined && patch.azureSubscriptionId !== null) {
    const azure = checkAzureSubscriptionId(patch.azureSubscriptionId);
    if (azure) return azure;
    const id = patch.azureSubscriptionId.trim().toLowerCase();
    if (id !== r.azureSubscriptionId) set.azureSubscriptionId = id;
  }
  if (Object.keys(set).length === 0) {
    return refuse('RES-MANAGE', 'NO_CHANGE', `${capital(describeRes(r))} already has this scope and Azure subscription.`);
  }
  const before = Object.fromEntries(Object.keys(set).map((k) => [k, r[k as keyof Reservation]]));
  return allow({
    effects: [updateRes(r, set), reservationAudit({ actor, r, operationType: 'update_reservation', at: now, before, after: set })],
    reservation: { ...r, ...set },
    ...phrased(
      `${capital(describeRes(r))}: ${Object.keys(set).join(' and ')} changed.`,
      `${capital(describeRes(r))}: ${Object.keys(set).join(' and ')} would change.`,
    ),
  });
}

export interface SetUtilizationInput {
  reservation: Reservation;
  utilizationPercent: number;
  actor: Caller;
  now: Date;
}

/**
 * Simulation only (tests, demos): Azure's utilisation report for a reservation. RES-MANAGE shows
 * it; for RES-REFUND-TABLE any utilisation above 0 marks the reservation as used, and a used
 * reservation stays used when the reported utilisation later drops.
 */
export function decideSetReservationUtilization(input: SetUtilizationInput): Decision<ReservationChangeOutcome> {
  const { reservation: r, utilizationPercent: pct, actor, now } = input;
  const bad =
    checkRole(actor, 'ROLE-RESERVATIONS', 'report reservation utilisation') ?? checkReservationActive(r, now, 'RES-MANAGE', 'used');
  if (bad) return bad;
  if (!Number.isFinite(pct) || pct < 0 || pct > 100) {
    return refuse('RES-MANAGE', 'INVALID_VALUE', `utilizationPercent is 0 to 100; got ${pct}.`, 'utilizationPercent');
  }
  const set: Partial<Reservation> = { utilizationPercent: pct, hasUsage: r.hasUsage || pct > 0 };
  return allow({
    effects: [
      updateRes(r, set),
      reservationAudit({
        actor,
        r,
        operationType: 'update_reservation_utilization',
        at: now,
        before: { utilizationPercent: r.utilizationPercent, hasUsage: r.hasUsage },
        after: set,
      }),
    ],
    reservation: { ...r, ...set },
    ...phrased(
      `${capital(describeRes(r))}: utilisation ${pct} %${set.hasUsage ? ', used (RES-REFUND-TABLE)' : ', unused'}.`,
      `${capital(describeRes(r))}: utilisation would be ${pct} %${set.hasUsage ? ', used (RES-REFUND-TABLE)' : ', unused'}.`,
    ),
  });
}

// ---- exchange ------------------------------------------------------------------------------------

export interface ExchangeReservationInput {
  reservation: Reservation;
  customer: CustomerDoc;
  partner: PartnerDoc;
  /** The offer of the new reservation. */
  offer: OfferDoc;
  request: ReservationRequest;
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface ExchangeReservationOutcome {
  effects: Effect[];
  returned: Reservation;
  reservation: Reservation;
  orderId: string;
  /** The prorated refund of the returned reservation, credited to the partner. */
  creditCents: number;
  newPriceCents: number;
  /** New price - credit. */
  differenceCents: number;
  currency: string;
  pricesIncludeTax: boolean;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/** RES-EXCHANGE: the credit of a returned reservation, its prorated refund (MONEY-PRORATE of what was paid). */
export function exchangeCredit(
  old: Pick<Reservation, 'priceCents' | 'purchasedAt' | 'expiryDateTime' | 'termDuration' | 'billingPlan'>,
  now: Date,
): number {
  return proratedRefund({
    chargedCents: paidBy(old, now),
    termPriceCents: old.priceCents,
    termStart: old.purchasedAt,
    termEnd: old.expiryDateTime,
    at: now,
  });
}

/**
 * RES-EXCHANGE: an active reservation is returned for a new one of the same reservation type; the
 * returned one's prorated refund (MONEY-PRORATE of what was paid) is credited to the partner
 * (RES-PARTNER-CREDIT) toward the new one's price. (decision) No fee, it does not count toward
 * RES-REFUND-CAP, and the new reservation must cost at least the credit. One operation: the
 * returned reservation becomes 'exchanged' and names the new one, which names it back.
 */
export function decideExchangeReservation(input: ExchangeReservationInput): Decision<ExchangeReservationOutcome> {
  const { reservation: old, customer, offer, actor, now, ids } = input;
  const bad =
    checkRole(actor, 'ROLE-RESERVATIONS', 'exchange a reservation') ?? checkReservationActive(old, now, 'RES-EXCHANGE', 'exchanged');
  if (bad) return bad;
  if (offer.commerceType === 'reservation' && offer.reservationType !== old.reservationType) {
    return refuse(
      'RES-EXCHANGE',
      'NOT_ELIGIBLE',
      `A ${old.reservationType} reservation is exchanged only for another ${old.reservationType} reservation; '${offer.name}' is ${offer.reservationType}.`,
      'offerId',
    );
  }
  const fresh = newReservation({ ...input, exchangedFromReservationId: old._id });
  if ('allowed' in fresh) return fresh;
  const creditCents = exchangeCredit(old, now);
  const money = (cents: number) => formatMoney(cents, old.currency);
  if (fresh.priceCents < creditCents) {
    return refuse(
      'RES-EXCHANGE',
      'LIMIT_EXCEEDED',
      `The new reservation costs ${money(fresh.priceCents)}, less than the ${money(creditCents)} credited for ${describeRes(old)}; it must cost at least the credit (buy more units or a longer term).`,
      'quantity',
    );
  }
  const orderId = ids.order(0);
  const order = reservationOrder(orderId, customer, fresh, fresh.priceCents / fresh.quantity);
  const set: Partial<Reservation> = { status: 'exchanged', cancelledAt: now, exchangedForReservationId: fresh._id };
  const effects: Effect[] = [
    updateRes(old, set),
    { kind: 'insert', collection: 'orders', doc: order },
    { kind: 'insert', collection: 'reservations', doc: fresh },
  ];
  if (creditCents > 0) {
    effects.push(
      partnerCredit(old, {
        amountCents: creditCents,
        kind: 'credit',
        rule: 'RES-EXCHANGE',
        description: `Exchange credit to the partner: the prorated balance of ${old.displayName}, toward ${fresh.displayName}`,
        at: now,
        orderId,
      }),
    );
  }
  effects.push(
    ...cancelledInstalments(old, now, 'RES-EXCHANGE'),
    ...chargesFor(fresh, 'RES-EXCHANGE', orderId),
    reservationAudit({
      actor,
      r: old,
      operationType: 'exchange_reservation',
      at: now,
      before: { status: old.status },
      after: { ...set, creditCents, newPriceCents: fresh.priceCents },
    }),
  );
  const taxIncluded = pricesIncludeTax(customer.billingCountry);
  return allow({
    effects,
    returned: { ...old, ...set },
    reservation: fresh,
    orderId,
    creditCents,
    newPriceCents: fresh.priceCents,
    differenceCents: fresh.priceCents - creditCents,
    currency: fresh.currency,
    pricesIncludeTax: taxIncluded,
    ...phrased(
      `${capital(describeRes(old))} exchanged for ${describeRes(fresh)} (order ${orderId}): ${money(creditCents)} credited to the partner, ` +
        `${money(fresh.priceCents)} charged ${fresh.billingPlan === 'monthly' ? 'in monthly instalments' : 'upfront'}; no fee, not counted toward the refund cap.`,
      `Would exchange ${describeRes(old)} for ${describeRes(fresh)}: ${money(creditCents)} would be credited to the partner, ` +
        `${money(fresh.priceCents)} charged ${fresh.billingPlan === 'monthly' ? 'in monthly instalments' : 'upfront'}; no fee, not counted toward the refund cap.`,
    ),
  });
}

// ---- what can I do? ------------------------------------------------------------------------------

export const RESERVATION_ACTIONS = ['cancel', 'exchange', 'update_scope'] as const;
export type ReservationAction = (typeof RESERVATION_ACTIONS)[number];

export interface ReservationActionAvailability {
  action: ReservationAction;
  allowed: boolean;
  rule: RuleId | null;
  code: Refused['code'] | null;
  reason: string | null;
}

/**
 * Every action on a reservation, allowed or not, with the rule and reason when not, from the same
 * decisions the mutations make (an exchange's target is not known here: its own checks run when
 * it is asked for).
 */
export function reservationAllowedActions(input: {
  reservation: Reservation;
  refundCap: RefundCapDoc | null;
  actor: Caller;
  now: Date;
}): ReservationActionAvailability[] {
  const { reservation: r, actor, now } = input;
  const decisions: Record<ReservationAction, () => Decision<object> | Refused | null> = {
    cancel: () => decideCancelReservation(input),
    exchange: () =>
      checkRole(actor, 'ROLE-RESERVATIONS', 'exchange a reservation') ?? checkReservationActive(r, now, 'RES-EXCHANGE', 'exchanged'),
    update_scope: () =>
      checkRole(actor, 'ROLE-RESERVATIONS', 'change a reservation') ?? checkReservationActive(r, now, 'RES-MANAGE', 'changed'),
  };
  return RESERVATION_ACTIONS.map((action) => {
    const d = decisions[action]();
    if (d === null || d.allowed) return { action, allowed: true, rule: null, code: null, reason: null };
    return { action, allowed: false, rule: d.rule, code: d.code, reason: d.message };
  });
}

/**
 * Effects: what an allowed decision changes, as plain data. The write path (src/write/) journals
 * them, then applies each as one single-document write:
 * - `update`: `$set` on one document, conditional on its `version` (optimistic concurrency);
 *   the write path increments `version` and records the operation on the document.
 * - `insert`: a new document whose `_id` the policy took from the operation's IdSource, so a
 *   replay inserts nothing twice.
 * - `ledger`: a charge (positive) or credit (negative) in integer cents (MONEY-EXACT).
 * - `audit`: the audit record of the operation (Partner Center's audit `operationType`).
 * - `event`: an event (src/policy/events.ts); the write path derives one per changed document and
 *   appends them last, and gives each its partner sequence number as it writes it.
 * Ledger, audit and event records get `_id` = `<operation ID>:<effect index>` from the write path.
 * Invariant: one operation updates each document at most once.
 */
import type {
  AuditEventDoc,
  CustomerDoc,
  EventDoc,
  LedgerEntryDoc,
  OrderDoc,
  RefundCapDoc,
  ReservationDoc,
  SandboxOfferDoc,
  SoftwareActivityDoc,
  SoftwareOrderDoc,
  SubscriptionDoc,
  SupportRequestDoc,
} from '../db/documents.js';

export type UpdatableCollection = 'subscriptions' | 'orders' | 'customers' | 'softwareOrders' | 'reservations' | 'refundCaps';

export interface UpdateEffect {
  kind: 'update';
  collection: UpdatableCollection;
  id: string;
  expectedVersion: number;
  set: Record<string, unknown>;
}

export type InsertEffect =
  | { kind: 'insert'; collection: 'customers'; doc: CustomerDoc }
  | { kind: 'insert'; collection: 'subscriptions'; doc: SubscriptionDoc }
  | { kind: 'insert'; collection: 'orders'; doc: OrderDoc }
  | { kind: 'insert'; collection: 'softwareOrders'; doc: SoftwareOrderDoc }
  | { kind: 'insert'; collection: 'reservations'; doc: ReservationDoc }
  | { kind: 'insert'; collection: 'supportRequests'; doc: SupportRequestDoc }
  | { kind: 'insert'; collection: 'softwareActivity'; doc: SoftwareActivityDoc }
  /** RES-REFUND-CAP: a customer's first counted refund creates its cap document. */
  | { kind: 'insert'; collection: 'refundCaps'; doc: RefundCapDoc }
  /** A test sandbox's own offer (src/policy/sandbox-offer.ts). */
  | { kind: 'insert'; collection: 'sandboxOffers'; doc: SandboxOfferDoc };

export interface LedgerEffect {
  kind: 'ledger';
  entry: Omit<LedgerEntryDoc, '_id' | 'operationId'>;
}

export interface AuditEffect {
  kind: 'audit';
  event: Omit<AuditEventDoc, '_id'>;
}

export interface EventEffect {
  kind: 'event';
  event: Omit<EventDoc, '_id' | 'seq' | 'bucket' | 'operationId' | 'createdAt' | 'auditRecordId'>;
}

export type Effect = UpdateEffect | InsertEffect | LedgerEffect | AuditEffect | EventEffect;

/** Deterministic IDs for documents an operation inserts, derived from the operation's ID by the write path. */
export interface IdSource {
  /** A GUID (the Entra tenant ID) for the n-th new customer of this operation. */
  customer(n: number): string;
  /** A GUID for the n-th new subscription of this operation. */
  subscription(n: number): string;
  /** A 12-hex-digit order ID for the n-th new order of this operation. */
  order(n: number): string;
  /** An opaque token (marketplace authorisation codes, CAT-ISV-LINK). */
  token(n: number): string;
}

/** Fields the subscription will have after the update, for computing follow-on effects and results. */
export function applySet<T extends object>(doc: T, set: Record<string, unknown>): T {
  return { ...doc, ...set } as T;
}

/** The documents of the given collection that an effect list inserts or updates (for results). */
export function updatesOf(effects: readonly Effect[], collection: UpdatableCollection): UpdateEffect[] {
  return effects.filter((e): e is UpdateEffect => e.kind === 'update' && e.collection === collection);
}

export function ledgerOf(effects: readonly Effect[]): LedgerEffect['entry'][] {
  return effects.filter((e): e is LedgerEffect => e.kind === 'ledger').map((e) => e.entry);
}

export function insertedSubscriptions(effects: readonly Effect[]): SubscriptionDoc[] {
  return effects.flatMap((e) => (e.kind === 'insert' && e.collection === 'subscriptions' ? [e.doc] : []));
}

/** Exhaustiveness guard for switches over unions. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}

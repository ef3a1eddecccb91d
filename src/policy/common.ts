/**
 * Small shared pieces of the subscription decisions: what kind of subscription it is, and
 * builders for the effects every decision emits (ledger entries, audit events, field updates).
 */
import type { PartnerRole, SubscriptionDoc } from '../db/documents.js';
import type { AuditEffect, Effect, LedgerEffect, UpdateEffect } from './effects.js';
import type { Caller } from '../shared/caller.js';
import type { RuleId } from './rule-ids.js';

export type Sub = SubscriptionDoc;

export const isNewCommerce = (s: Pick<Sub, 'commerceType'>) => s.commerceType === 'new_commerce';
export const isLegacy = (s: Pick<Sub, 'commerceType'>) => s.commerceType === 'legacy';
export const isMarketplace = (s: Pick<Sub, 'commerceType'>) => s.commerceType === 'marketplace_saas';
export const isAddOn = (s: Pick<Sub, 'parentSubscriptionId'>) => s.parentSubscriptionId !== null;
export const isPaused = (s: Pick<Sub, 'status' | 'suspendedBy'>) => s.status === 'suspended' && s.suspendedBy === 'pause';
export const awaitsFulfilment = (s: Pick<Sub, 'fulfilment'>) => s.fulfilment?.status === 'action_needed';
export const isEnded = (s: Pick<Sub, 'status'>) => s.status === 'deleted' || s.status === 'expired' || s.status === 'disabled';

/** "new-commerce", "legacy" ... for messages. */
export function kindLabel(s: Pick<Sub, 'commerceType' | 'billingType'>): string {
  switch (s.commerceType) {
    case 'new_commerce':
      return 'new-commerce';
    case 'legacy':
      return 'legacy licence-based';
    case 'marketplace_saas':
      return s.billingType === 'usage' ? 'usage-based marketplace' : 'marketplace';
    case 'software':
      return 'software';
    case 'reservation':
      return 'Azure reservation';
  }
}

export function describe(s: Pick<Sub, '_id' | 'friendlyName'>): string {
  return `subscription '${s.friendlyName}' (${s._id})`;
}

export function iso(at: Date): string {
  return at.toISOString();
}

/** An update of one subscription, conditional on the version the decision saw. */
export function updateSub(s: Pick<Sub, '_id' | 'version'>, set: Partial<Sub>): UpdateEffect {
  return { kind: 'update', collection: 'subscriptions', id: s._id, expectedVersion: s.version, set: set as Record<string, unknown> };
}

/** MONEY-EXACT: a ledger entry tied to the subscription (and order) that caused it and the rule that produced it. */
export function ledgerFor(
  s: Pick<Sub, '_id' | 'partnerId' | 'customerId' | 'currency'>,
  args: {
    amountCents: number;
    kind: LedgerEffect['entry']['kind'];
    rule: RuleId | null;
    description: string;
    at: Date;
    orderId?: string | null;
  },
): LedgerEffect {
  return {
    kind: 'ledger',
    entry: {
      partnerId: s.partnerId,
      customerId: s.customerId,
      amountCents: args.amountCents,
      currency: s.currency,
      kind: args.kind,
      source: { type: 'subscription', id: s._id },
      orderId: args.orderId ?? null,
      ruleId: args.rule,
      description: args.description,
      at: args.at,
    },
  };
}

/** Partner Center audit record of an operation; the system actor is used for lifecycle events. */
export function auditFor(
  actor: Pick<Caller, 'userId' | 'roles'> | null,
  args: {
    partnerId: string;
    customerId: string | null;
    operationType: string;
    resourceType?: string;
    resourceId: string;
    at: Date;
    before?: unknown;
    after?: unknown;
  },
): AuditEffect {
  return {
    kind: 'audit',
    event: {
      partnerId: args.partnerId,
      customerId: args.customerId,
      operationType: args.operationType,
      resourceType: args.resourceType ?? 'subscription',
      resourceId: args.resourceId,
      userId: actor?.userId ?? 'system/lifecycle',
      roles: (actor?.roles ?? []) as PartnerRole[],
      at: args.at,
      resourceOldValue: args.before === undefined ? null : JSON.stringify(args.before),
      resourceNewValue: args.after === undefined ? null : JSON.stringify(args.after),
    },
  };
}

/** The fields of an update that changed, for audit records. */
export function changedFields(s: Sub, set: Partial<Sub>): { before: Partial<Sub>; after: Partial<Sub> } {
  const before: Record<string, unknown> = {};
  for (const k of Object.keys(set)) before[k] = (s as unknown as Record<string, unknown>)[k];
  return { before: before as Partial<Sub>, after: set };
}

export function effectsWithAudit(effects: Effect[], audit: AuditEffect): Effect[] {
  return [...effects, audit];
}

/** The fields that clear every saved change for renewal (SCHED-CLEARED, PAUSE-SIDE-EFFECTS, UPG-CLEARS-SCHEDULED). */
export const CLEAR_SCHEDULED: Pick<Sub, 'scheduledNextTermInstructions' | 'scheduledUpgrade'> = {
  scheduledNextTermInstructions: null,
  scheduledUpgrade: null,
};

export function hasScheduled(s: Pick<Sub, 'scheduledNextTermInstructions' | 'scheduledUpgrade'>): boolean {
  return s.scheduledNextTermInstructions !== null || (s.scheduledUpgrade ?? null) !== null;
}

export function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

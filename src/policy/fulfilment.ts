/** The ISV publisher's side of marketplace SaaS, simulated (CAT-ISV-FULFILMENT). */
import { allow, refuse, type Decision } from './decision.js';
import { termStartCharge } from './billing.js';
import type { Effect } from './effects.js';
import { auditFor, awaitsFulfilment, describe, ledgerFor, updateSub, type Sub } from './common.js';
import type { Caller } from '../shared/caller.js';
import { checkRole } from './roles.js';
import { addTerm } from './time.js';
import { phrased } from './mood.js';

export interface FulfilmentOutcome {
  effects: Effect[];
  chargeCents: number;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/**
 * CAT-ISV-FULFILMENT: a marketplace SaaS subscription is billed only after its publisher has
 * assigned licences and confirmed set-up; until then it shows "action needed". Confirming starts
 * its first term now and charges it.
 */
export function decideConfirmFulfillment(input: { subscription: Sub; actor: Caller; now: Date }): Decision<FulfilmentOutcome> {
  const { subscription: s, actor, now } = input;
  const refusal =
    checkRole(actor, 'ROLE-MARKETPLACE', 'confirm a marketplace fulfilment') ??
    (s.commerceType !== 'marketplace_saas'
      ? refuse('CAT-ISV-FULFILMENT', 'NOT_SUPPORTED', `${describe(s)} is not a marketplace SaaS subscription.`)
      : null) ??
    (!awaitsFulfilment(s) || s.status !== 'pending'
      ? refuse('CAT-ISV-FULFILMENT', 'NO_CHANGE', `${describe(s)} does not await its publisher (status ${s.status}).`)
      : null);
  if (refusal) return refusal;
  // BILL-MONTHLY: a term billed monthly is charged its first month now, the rest on the clock.
  const billing = termStartCharge({ ...s, termPriceCents: s.unitPriceCents * s.quantity, termStart: now });
  const charge = billing.chargeCents;
  const end = addTerm(now, s.termDuration);
  const effects: Effect[] = [
    updateSub(s, {
      status: 'active',
      fulfilment: { ...s.fulfilment!, status: 'fulfilled' },
      effectiveStartDate: now,
      commitmentEndDate: end,
      chargedCents: charge,
      billedUntil: billing.billedUntil,
      updatedAt: now,
    }),
    ledgerFor(s, {
      amountCents: charge,
      kind: 'charge',
      rule: 'CAT-ISV-FULFILMENT',
      description: `Marketplace set-up confirmed: ${s.offerName} x ${s.quantity}`,
      at: now,
      orderId: s.orderId,
    }),
    auditFor(actor, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'activate_subscription',
      resourceId: s._id,
      at: now,
      before: { status: s.status },
      after: { status: 'active' },
    }),
  ];
  return allow({
    effects,
    chargeCents: charge,
    ...phrased(
      `The publisher confirmed set-up of ${describe(s)}; billing starts now, term ends ${end.toISOString()}.`,
      `Would confirm the publisher's set-up of ${describe(s)}; billing would start now and the term end ${end.toISOString()}.`,
    ),
  });
}

/**
 * Pause and resume of new-commerce subscriptions for non-payment (PAUSE-*), the self-serve
 * alternative to suspension (SUSP-NCE-SUPPORT).
 */
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect } from './effects.js';
import { auditFor, capital, CLEAR_SCHEDULED, describe, hasScheduled, isNewCommerce, kindLabel, updateSub, type Sub } from './common.js';
import { checkSubscriptionRoles } from './roles.js';
import type { Caller } from '../shared/caller.js';
import { cascadeTargets, restoreAccess, type SuspensionOutcome } from './suspension.js';
import { phrased } from './mood.js';

export interface PauseInput {
  subscription: Sub;
  addOns: readonly Sub[];
  actor: Caller;
  now: Date;
}

function newCommerceOnly(s: Sub, verb: string): Refused | null {
  if (isNewCommerce(s)) return null;
  const hint =
    s.commerceType === 'legacy'
      ? ` Legacy subscriptions are ${verb === 'pause' ? 'suspended (suspendSubscription)' : 'reactivated (reactivateSubscription)'}.`
      : '';
  return refuse(
    'PAUSE-EFFECT',
    'NOT_SUPPORTED',
    `Only new-commerce subscriptions can be ${verb}d; ${describe(s)} is ${kindLabel(s)}.${hint}`,
  );
}

/**
 * PAUSE-EFFECT: pausing sets the subscription suspended at once and the customer loses access;
 * the partner is still billed (the term was charged in advance, and nothing is refunded).
 * PAUSE-SIDE-EFFECTS: auto-renew is turned off and scheduled changes are removed (SCHED-CLEARED).
 * ADDON-CASCADE: its active add-ons are suspended with it.
 */
export function decidePause(input: PauseInput): Decision<SuspensionOutcome> {
  const { subscription: s, actor, now } = input;
  const refusal =
    checkSubscriptionRoles(actor, s, 'pause a subscription') ??
    newCommerceOnly(s, 'pause') ??
    (s.status !== 'active'
      ? refuse('PAUSE-EFFECT', 'INVALID_STATUS', `Only an active subscription can be paused; ${describe(s)} is ${s.status}.`)
      : null);
  if (refusal) return refusal;
  const paused = {
    status: 'suspended' as const,
    suspendedAt: now,
    suspensionReasons: ['non_payment' as const],
    dataDeletionAt: null,
    autoRenewEnabled: false,
    ...CLEAR_SCHEDULED,
    updatedAt: now,
  };
  const effects: Effect[] = [updateSub(s, { ...paused, suspendedBy: 'pause' })];
  const cascaded = cascadeTargets(s, input.addOns, 'suspend');
  for (const a of cascaded) effects.push(updateSub(a, { ...paused, suspendedBy: 'cascade' }));
  effects.push(
    auditFor(actor, {
      partnerId: s.partnerId,
      customerId: s.customerId,
      operationType: 'pause_subscription',
      resourceId: s._id,
      at: now,
      before: { status: s.status, autoRenewEnabled: s.autoRenewEnabled, scheduled: hasScheduled(s) },
      after: { status: 'suspended', autoRenewEnabled: false, scheduled: false },
    }),
  );
  return allow({
    effects,
    dataDeletionDate: null,
    cascadedAddOnIds: cascaded.map((a) => a._id),
    ...phrased(
      `Paused ${describe(s)}: its users lose access now, billing continues, auto-renew is off${hasScheduled(s) ? ' and its scheduled changes were removed' : ''}.`,
      `Would pause ${describe(s)}: its users would lose access now, billing would continue, auto-renew would be off${hasScheduled(s) ? ' and its scheduled changes would be removed' : ''}.`,
    ),
  });
}

/** PAUSE-RESUME: resuming restores access at once (and to the add-ons the pause cascaded to). */
export function decideResume(input: PauseInput): Decision<SuspensionOutcome> {
  const { subscription: s, actor, now } = input;
  const refusal =
    checkSubscriptionRoles(actor, s, 'resume a subscription') ??
    newCommerceOnly(s, 'resume') ??
    (s.status === 'suspended' && s.suspendedBy === 'cascade'
      ? refuse(
          'ADDON-CASCADE',
          'INVALID_STATUS',
          `Add-on ${describe(s)} was paused with its base subscription; resume the base subscription (${s.parentSubscriptionId}).`,
        )
      : null) ??
    (s.status !== 'suspended' || s.suspendedBy !== 'pause'
      ? refuse(
          'PAUSE-RESUME',
          s.status === 'active' ? 'NO_CHANGE' : 'INVALID_STATUS',
          `${capital(describe(s))} is ${s.status}, not paused.`,
        )
      : null);
  if (refusal) return refusal;
  return allow(
    restoreAccess({
      s,
      addOns: input.addOns,
      actor,
      now,
      operationType: 'resume_subscription',
      summary: phrased(
        `Resumed ${describe(s)}: its users have access again. Auto-renew stays off until you turn it on.`,
        `Would resume ${describe(s)}: its users would have access again. Auto-renew would stay off until you turn it on.`,
      ),
    }),
  );
}

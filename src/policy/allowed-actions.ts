/**
 * CANCEL-WINDOW-SHOWN and friends: every action on a subscription, allowed or not, with the rule
 * and reason when not, computed by running the same decisions the mutations run, as quotes. A
 * front end enables buttons from it; it can never disagree with the mutation.
 */
import type { CustomerDoc, OfferDoc, PartnerDoc } from '../db/documents.js';
import { checkAddOnPartnerType, checkBaseActive } from './add-on.js';
import { decideCancel } from './cancellation.js';
import { isAddOn, type Sub } from './common.js';
import { refuse, type Decision, type Refused } from './decision.js';
import { decideUpdate } from './edit.js';
import { decideConfirmFulfillment } from './fulfilment.js';
import { decidePause, decideResume } from './pause.js';
import { checkSubscriptionRoles } from './roles.js';
import type { Caller } from '../shared/caller.js';
import type { RuleId } from './rule-ids.js';
import { checkSchedulable, checkSchedulePrereq } from './scheduled-change.js';
import { decideReactivate, decideSuspend } from './suspension.js';
import { checkUpgradeActive } from './upgrade.js';

export const SUBSCRIPTION_ACTIONS = [
  'update_friendly_name',
  'increase_quantity',
  'decrease_quantity',
  'toggle_auto_renew',
  'suspend',
  'reactivate',
  'pause',
  'resume',
  'cancel',
  'schedule_change',
  'upgrade',
  'purchase_add_on',
  'confirm_fulfillment',
] as const;

export type SubscriptionAction = (typeof SUBSCRIPTION_ACTIONS)[number];

export interface ActionAvailability {
  action: SubscriptionAction;
  allowed: boolean;
  rule: RuleId | null;
  code: Refused['code'] | null;
  reason: string | null;
}

export interface AllowedActionsInput {
  subscription: Sub;
  offer: OfferDoc;
  customer: CustomerDoc;
  partner: PartnerDoc;
  actor: Caller;
  now: Date;
}

/** Every action's availability; pure, from documents already loaded (no I/O per subscription). */
export function allowedActions(input: AllowedActionsInput): ActionAvailability[] {
  const { subscription: s, offer, customer, actor, now } = input;
  const base = { subscription: s, addOns: [], actor, now };
  const decisions: Record<SubscriptionAction, () => Decision<object> | Refused | null> = {
    update_friendly_name: () =>
      decideUpdate({ subscription: s, offer, patch: { friendlyName: `${s.friendlyName} (renamed)` }, actor, now }),
    increase_quantity: () => decideUpdate({ subscription: s, offer, patch: { quantity: s.quantity + 1 }, actor, now }),
    decrease_quantity: () => decideUpdate({ subscription: s, offer, patch: { quantity: s.quantity - 1 }, actor, now }),
    toggle_auto_renew: () => decideUpdate({ subscription: s, offer, patch: { autoRenewEnabled: !s.autoRenewEnabled }, actor, now }),
    suspend: () => decideSuspend({ ...base, customer, reason: 'customer_request' }),
    reactivate: () => decideReactivate(base),
    pause: () => decidePause(base),
    resume: () => decideResume(base),
    cancel: () => decideCancel(base),
    schedule_change: () => checkSubscriptionRoles(actor, s, 'schedule a change') ?? checkSchedulable(s) ?? checkSchedulePrereq(s),
    upgrade: () =>
      checkSubscriptionRoles(actor, s, 'upgrade a subscription') ??
      checkUpgradeActive(s) ??
      (offer.upgradeTargetIds.length === 0 || isAddOn(s) || (s.commerceType !== 'new_commerce' && s.commerceType !== 'legacy')
        ? refuse('UPG-ELIGIBLE', 'NOT_ELIGIBLE', `'${offer.name}' has no upgrade paths.`)
        : null),
    purchase_add_on: () =>
      checkSubscriptionRoles(actor, s, 'buy an add-on') ??
      checkAddOnPartnerType(input.partner) ??
      checkBaseActive(s) ??
      (offer.eligibleAddOnIds.length === 0 ? refuse('ADDON-ELIGIBLE', 'NOT_ELIGIBLE', `'${offer.name}' has no eligible add-ons.`) : null),
    confirm_fulfillment: () => decideConfirmFulfillment({ subscription: s, actor, now }),
  };
  return SUBSCRIPTION_ACTIONS.map((action) => {
    const d = decisions[action]();
    if (d === null || d.allowed) return { action, allowed: true, rule: null, code: null, reason: null };
    return { action, allowed: false, rule: d.rule, code: d.code, reason: d.message };
  });
}

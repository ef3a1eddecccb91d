/** What scheduleChange and updateScheduledChange share: the plan and payload of a change saved for renewal (SCHED-*). */
import type { BillingCycle, OfferDoc, TermDuration } from '../../db/documents.js';
import { loadOffer } from '../../mutation/load.js';
import { runMutation } from '../../mutation/run-mutation.js';
import { changePayload, subscriptionPlan } from '../../mutation/subscription-plan.js';
import { decideScheduleChange, type ScheduleOutcome } from '../../policy/scheduled-change.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import type { SubscriptionChangePayload } from '../subscription-payload.types.js';
import type { ScheduleChangeInput } from '../subscription.mutation-input.js';

/** `mustExist`: SCHED-MANAGE changes a saved change, so there must be one; scheduleChange saves or replaces. */
export async function schedule(ctx: Context, input: ScheduleChangeInput, mustExist: boolean): Promise<SubscriptionChangePayload> {
  const cols = ctx.write.collections;
  const targetId = input.offerId ? parseId('offer', input.offerId, 'input.offerId') : null;
  const change = {
    offerId: targetId,
    quantity: input.quantity,
    billingCycle: input.billingCycle as BillingCycle | null,
    termDuration: input.termDuration as TermDuration | null,
  };
  const plan = await subscriptionPlan<ScheduleOutcome, OfferDoc>(ctx, {
    kind: 'update_subscription',
    subscriptionId: input.subscriptionId,
    decide: (l, now) =>
      decideScheduleChange({
        subscription: l.subscription,
        offer: l.offer,
        targetOffer: l.extra,
        change,
        actor: ctx.caller,
        now,
        mustExist,
      }),
    // An omitted offer keeps the SKU already scheduled, else the current one (SCHED-MANAGE).
    loadExtra: (s) => loadOffer(cols, ctx.caller.partner, targetId ?? s.scheduledNextTermInstructions?.offerId ?? s.offerId),
  });
  return changePayload(ctx, input, await runMutation(ctx, plan, input));
}

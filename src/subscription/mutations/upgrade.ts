/** What partialUpgrade and upgradeSubscription share: the plan and payload of moving licences to another SKU (UPG-*). */
import { loadOffer, loadSubscription } from '../../mutation/load.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { subscriptionPlan } from '../../mutation/subscription-plan.js';
import { decideUpgrade } from '../../policy/upgrade.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import { money } from '../../shared/money.type.js';
import type { UpgradePayload } from '../subscription-payload.types.js';
import type { PartialUpgradeInput, UpgradeSubscriptionInput } from '../subscription.mutation-input.js';

/** `quantity`: the licences to move; null moves them all (UPG-FULL). */
export async function upgrade(
  ctx: Context,
  input: UpgradeSubscriptionInput | PartialUpgradeInput,
  quantity: number | null,
): Promise<UpgradePayload> {
  const cols = ctx.write.collections;
  const partnerId = ctx.caller.partner._id;
  const targetOffer = await loadOffer(cols, ctx.caller.partner, parseId('offer', input.targetOfferId, 'input.targetOfferId'));
  const targetSubId = input.targetSubscriptionId ? parseId('subscription', input.targetSubscriptionId, 'input.targetSubscriptionId') : null;
  const plan = await subscriptionPlan(ctx, {
    kind: 'upgrade_subscription',
    subscriptionId: input.subscriptionId,
    decide: (l, now, ids) =>
      decideUpgrade({
        source: l.subscription,
        sourceOffer: l.offer,
        targetOffer,
        targetSubscription: l.extra,
        quantity: quantity ?? l.subscription.quantity,
        timing: input.timing,
        sourceAddOns: l.addOns,
        customer: l.customer,
        partner: ctx.caller.partner,
        actor: ctx.caller,
        now,
        ids,
      }),
    loadExtra: async () => (targetSubId ? loadSubscription(cols, partnerId, targetSubId) : null),
  });
  const result = await runMutation(ctx, plan, input);
  const source = await ctx.loaders.subscriptionById.load(parseId('subscription', input.subscriptionId, 'input.subscriptionId'));
  return mutationPayload(input, result, {
    refused: () => ({
      sourceSubscription: source,
      targetSubscription: null,
      upgradeType: null,
      timing: null,
      credit: null,
      charge: null,
      licenceReassignmentRequired: null,
    }),
    accepted: async (o, applied) => ({
      sourceSubscription: source,
      targetSubscription:
        o.targetSubscriptionId && applied
          ? await ctx.loaders.subscriptionById.load(o.targetSubscriptionId)
          : targetSubId
            ? await ctx.loaders.subscriptionById.load(targetSubId)
            : null,
      upgradeType: o.upgradeType,
      timing: o.timing,
      credit: money(o.creditCents, source.currency),
      charge: money(o.chargeCents, source.currency),
      licenceReassignmentRequired: o.licenceReassignmentRequired,
      summary: o.summary,
    }),
  });
}

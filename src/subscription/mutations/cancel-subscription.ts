import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { placed, subscriptionPlan } from '../../mutation/subscription-plan.js';
import { decideCancel } from '../../policy/cancellation.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import { money } from '../../shared/money.type.js';
import { CancelSubscriptionPayload } from '../subscription-payload.types.js';
import { CancelSubscriptionInput } from '../subscription.mutation-input.js';

@Resolver()
export class CancelSubscriptionMutation {
  @Mutation(() => CancelSubscriptionPayload, {
    description: 'CANCEL-*: cancel (or with dryRun, quote the cancellation of) a subscription and its add-ons.',
  })
  async cancelSubscription(
    @Arg('input', () => CancelSubscriptionInput) input: CancelSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<CancelSubscriptionPayload> {
    const plan = await subscriptionPlan(ctx, {
      kind: 'cancel_subscription',
      subscriptionId: input.subscriptionId,
      decide: (l, now) => decideCancel({ subscription: l.subscription, addOns: l.addOns, actor: ctx.caller, now, reason: input.reason }),
    });
    const result = await runMutation(ctx, plan, input);
    const current = placed(await ctx.loaders.subscriptionById.load(parseId('subscription', input.subscriptionId, 'input.subscriptionId')));
    return mutationPayload(input, result, {
      refused: () => ({
        ...current,
        mode: null,
        rule: null,
        refund: null,
        totalRefund: null,
        effectiveDate: null,
        addOnRefunds: [],
      }),
      accepted: (o) => ({
        ...current,
        summary: o.summary,
        mode: o.mode,
        rule: o.rule,
        refund: money(o.refundCents, o.currency),
        totalRefund: money(o.refundCents + o.addOns.reduce((n, a) => n + a.refundCents, 0), o.currency),
        effectiveDate: o.effectiveDate,
        addOnRefunds: o.addOns.map((a) => ({ addOnId: a.id, refund: money(a.refundCents, o.currency), rule: a.rule })),
      }),
    });
  }
}

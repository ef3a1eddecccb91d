import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { changeSubscription } from '../../mutation/subscription-plan.js';
import { decideSuspend } from '../../policy/suspension.js';
import type { Context } from '../../shared/context.js';
import { SubscriptionChangePayload } from '../subscription-payload.types.js';
import { SuspendSubscriptionInput } from '../subscription.mutation-input.js';

@Resolver()
export class SuspendSubscriptionMutation {
  @Mutation(() => SubscriptionChangePayload, { description: 'SUSP-*: suspend a legacy subscription (and its add-ons) for a reason.' })
  suspendSubscription(
    @Arg('input', () => SuspendSubscriptionInput) input: SuspendSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'suspend_subscription', input, (l, now) =>
      decideSuspend({
        subscription: l.subscription,
        addOns: l.addOns,
        customer: l.customer,
        reason: input.reason,
        actor: ctx.caller,
        now,
      }),
    );
  }
}

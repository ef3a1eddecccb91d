import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { changeSubscription } from '../../mutation/subscription-plan.js';
import { decideReactivate } from '../../policy/suspension.js';
import type { Context } from '../../shared/context.js';
import { SubscriptionChangePayload } from '../subscription-payload.types.js';
import { SubscriptionTargetInput } from '../subscription.mutation-input.js';

@Resolver()
export class ReactivateSubscriptionMutation {
  @Mutation(() => SubscriptionChangePayload, { description: 'SUSP-REACTIVATE: reactivate a suspended legacy subscription.' })
  reactivateSubscription(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'reactivate_subscription', input, (l, now) =>
      decideReactivate({ subscription: l.subscription, addOns: l.addOns, actor: ctx.caller, now }),
    );
  }
}

import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { changeSubscription } from '../../mutation/subscription-plan.js';
import { decideConfirmFulfillment } from '../../policy/fulfilment.js';
import type { Context } from '../../shared/context.js';
import { SubscriptionChangePayload } from '../subscription-payload.types.js';
import { SubscriptionTargetInput } from '../subscription.mutation-input.js';

@Resolver()
export class ConfirmFulfillmentMutation {
  @Mutation(() => SubscriptionChangePayload, {
    description: 'CAT-ISV-FULFILMENT (simulation): the publisher confirms set-up of a marketplace SaaS subscription.',
  })
  confirmFulfillment(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'activate_subscription', input, (l, now) =>
      decideConfirmFulfillment({ subscription: l.subscription, actor: ctx.caller, now }),
    );
  }
}

import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { changeSubscription } from '../../mutation/subscription-plan.js';
import { decidePause } from '../../policy/pause.js';
import type { Context } from '../../shared/context.js';
import { SubscriptionChangePayload } from '../subscription-payload.types.js';
import { SubscriptionTargetInput } from '../subscription.mutation-input.js';

@Resolver()
export class PauseSubscriptionMutation {
  @Mutation(() => SubscriptionChangePayload, { description: 'PAUSE-*: pause a new-commerce subscription for non-payment.' })
  pauseSubscription(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'pause_subscription', input, (l, now) =>
      decidePause({ subscription: l.subscription, addOns: l.addOns, actor: ctx.caller, now }),
    );
  }
}

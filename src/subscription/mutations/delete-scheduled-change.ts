import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { changeSubscription } from '../../mutation/subscription-plan.js';
import { decideDeleteScheduledChange } from '../../policy/scheduled-change.js';
import type { Context } from '../../shared/context.js';
import { SubscriptionChangePayload } from '../subscription-payload.types.js';
import { SubscriptionTargetInput } from '../subscription.mutation-input.js';

@Resolver()
export class DeleteScheduledChangeMutation {
  @Mutation(() => SubscriptionChangePayload, { description: 'SCHED-MANAGE: delete the saved change.' })
  deleteScheduledChange(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'update_subscription', input, (l, now) =>
      decideDeleteScheduledChange({ subscription: l.subscription, actor: ctx.caller, now }),
    );
  }
}

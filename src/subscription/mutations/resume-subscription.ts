import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { changeSubscription } from '../../mutation/subscription-plan.js';
import { decideResume } from '../../policy/pause.js';
import type { Context } from '../../shared/context.js';
import { SubscriptionChangePayload } from '../subscription-payload.types.js';
import { SubscriptionTargetInput } from '../subscription.mutation-input.js';

@Resolver()
export class ResumeSubscriptionMutation {
  @Mutation(() => SubscriptionChangePayload, { description: 'PAUSE-RESUME: resume a paused subscription.' })
  resumeSubscription(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'resume_subscription', input, (l, now) =>
      decideResume({ subscription: l.subscription, addOns: l.addOns, actor: ctx.caller, now }),
    );
  }
}

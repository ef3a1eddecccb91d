import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { changeSubscription } from '../../mutation/subscription-plan.js';
import { decideUpdate } from '../../policy/edit.js';
import type { Context } from '../../shared/context.js';
import { SubscriptionChangePayload } from '../subscription-payload.types.js';
import { UpdateSubscriptionInput } from '../subscription.mutation-input.js';

@Resolver()
export class UpdateSubscriptionMutation {
  @Mutation(() => SubscriptionChangePayload, { description: 'SUB-EDIT: nickname, quantity, auto-renew, indirect reseller.' })
  updateSubscription(
    @Arg('input', () => UpdateSubscriptionInput) input: UpdateSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    const patch = {
      friendlyName: input.friendlyName,
      quantity: input.quantity,
      autoRenewEnabled: input.autoRenewEnabled,
      partnerIdOnRecord: input.partnerId,
    };
    return changeSubscription(ctx, 'update_subscription', input, (l, now) =>
      decideUpdate({ subscription: l.subscription, offer: l.offer, patch, actor: ctx.caller, now }),
    );
  }
}

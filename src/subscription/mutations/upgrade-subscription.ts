import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../shared/context.js';
import { UpgradePayload } from '../subscription-payload.types.js';
import { UpgradeSubscriptionInput } from '../subscription.mutation-input.js';
import { upgrade } from './upgrade.js';

@Resolver()
export class UpgradeSubscriptionMutation {
  @Mutation(() => UpgradePayload, {
    description: 'UPG-FULL: move all licences to another SKU; the source ends (upgraded).',
  })
  upgradeSubscription(
    @Arg('input', () => UpgradeSubscriptionInput) input: UpgradeSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<UpgradePayload> {
    return upgrade(ctx, input, null);
  }
}

import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../shared/context.js';
import { UpgradePayload } from '../subscription-payload.types.js';
import { PartialUpgradeInput } from '../subscription.mutation-input.js';
import { upgrade } from './upgrade.js';

@Resolver()
export class PartialUpgradeMutation {
  @Mutation(() => UpgradePayload, {
    description: 'UPG-PARTIAL: move some (or all) licences to another SKU, now or at term end, into a new or existing subscription.',
  })
  partialUpgrade(@Arg('input', () => PartialUpgradeInput) input: PartialUpgradeInput, @Ctx() ctx: Context): Promise<UpgradePayload> {
    return upgrade(ctx, input, input.quantity);
  }
}

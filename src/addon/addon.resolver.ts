import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { SubscriptionDoc } from '../db/documents.js';
import type { Context } from '../shared/context.js';
import { ClientError } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import { Subscription } from '../subscription/subscription.type.js';
import { AddOn } from './addon.type.js';

@Resolver(() => AddOn)
export class AddOnResolver {
  @Query(() => AddOn, { description: 'One add-on subscription of one of your customers.' })
  async addOn(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SubscriptionDoc> {
    const doc = await ctx.loaders.subscriptionById.load(parseId('add-on', id));
    if (doc.parentSubscriptionId === null) {
      throw new ClientError('NOT_FOUND', `Subscription '${doc._id}' is a base subscription; query it with subscription(id:)`, {
        kind: 'add-on',
        id: doc._id,
      });
    }
    return doc;
  }

  @FieldResolver(() => Subscription, { description: 'The base subscription.' })
  parentSubscription(@Root() addOn: SubscriptionDoc, @Ctx() ctx: Context): Promise<SubscriptionDoc> {
    return ctx.loaders.subscriptionById.load(addOn.parentSubscriptionId!);
  }
}

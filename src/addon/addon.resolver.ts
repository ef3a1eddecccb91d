import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { SubscriptionDoc } from '../db/documents.js';
import { assertMaySeeAddOn, assertMaySeeSubscription } from '../shared/authorization.js';
import type { Context } from '../shared/context.js';
import { ClientError } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import { Subscription } from '../subscription/subscription.type.js';
import { AddOn } from './addon.type.js';

@Resolver(() => AddOn)
export class AddOnResolver {
  @Query(() => AddOn, {
    nullable: true,
    description:
      'One add-on subscription of one of your customers; null with a NOT_FOUND error for an unknown ID. A marketplace add-on, or one of a marketplace base, needs ROLE-MARKETPLACE (else null with FORBIDDEN).',
  })
  async addOn(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SubscriptionDoc> {
    const doc = await ctx.loaders.subscriptionById.load(parseId('add-on', id));
    if (doc.parentSubscriptionId === null) {
      throw new ClientError('NOT_FOUND', `Subscription '${doc._id}' is a base subscription; query it with subscription(id:)`, {
        kind: 'add-on',
        id: doc._id,
      });
    }
    // ROLE-MARKETPLACE: a marketplace add-on, or one of a marketplace base, as subscription(id:) for its base.
    // A base that does not exist leaves the add-on's own publisher to decide; `parentSubscription`
    // then answers null with its NOT_FOUND, and the add-on keeps its data.
    const base = await ctx.loaders.subscriptionById.load(doc.parentSubscriptionId).catch((error: unknown) => {
      if (error instanceof ClientError && error.extensions.code === 'NOT_FOUND') return doc;
      throw error;
    });
    assertMaySeeAddOn(ctx.caller, doc, base);
    return doc;
  }

  @FieldResolver(() => Subscription, {
    nullable: true,
    description:
      'The base subscription; null with its error if it cannot be read, or with FORBIDDEN for a marketplace base without ROLE-MARKETPLACE.',
  })
  async parentSubscription(@Root() addOn: SubscriptionDoc, @Ctx() ctx: Context): Promise<SubscriptionDoc> {
    const base = await ctx.loaders.subscriptionById.load(addOn.parentSubscriptionId!);
    // ROLE-MARKETPLACE: the same check as subscription(id:), however the add-on was reached.
    assertMaySeeSubscription(ctx.caller, base);
    return base;
  }
}

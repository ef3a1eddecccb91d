import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { SubscriptionDoc } from '../db/documents.js';
import { AddOn } from '../addon/addon.type.js';
import { assertMaySeeSubscription, mayRead, subscriptionVisibility } from '../shared/authorization.js';
import { PageArgs } from '../shared/connection.type.js';
import type { Context } from '../shared/context.js';
import { ClientError } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import type { Page } from '../shared/pagination.js';
import { SubscriptionFilter } from './subscription.input.js';
import { Subscription, SubscriptionConnection } from './subscription.type.js';

@Resolver(() => Subscription)
export class SubscriptionResolver {
  @Query(() => Subscription, {
    nullable: true,
    description:
      'One base subscription of one of your customers (add-ons: `addOn`); null with a NOT_FOUND error for an unknown ID, with FORBIDDEN for a marketplace (ISV) one unless you are a global admin or admin agent (ROLE-MARKETPLACE).',
  })
  async subscription(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SubscriptionDoc> {
    const doc = await ctx.loaders.subscriptionById.load(parseId('subscription', id));
    if (doc.parentSubscriptionId !== null) {
      throw new ClientError('NOT_FOUND', `Subscription '${doc._id}' is an add-on; query it with addOn(id:)`, {
        kind: 'subscription',
        id: doc._id,
      });
    }
    assertMaySeeSubscription(ctx.caller, doc);
    return doc;
  }

  @Query(() => SubscriptionConnection, {
    description:
      'Base subscriptions of all your customers, oldest first, filtered; marketplace (ISV) ones only for global admins and admin agents (ROLE-MARKETPLACE).',
  })
  async subscriptions(
    @Args() page: PageArgs,
    @Arg('filter', () => SubscriptionFilter, { nullable: true }) filter: SubscriptionFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Page<SubscriptionDoc>> {
    const partnerId = ctx.caller.partner._id;
    const customerIds =
      filter?.customerSearch != null
        ? await ctx.repositories.customers.idsMatching(partnerId, filter.customerSearch, 'customerSearch')
        : null;
    return ctx.repositories.subscriptions.page({
      partnerId,
      filter,
      args: page,
      customerIds,
      visibility: subscriptionVisibility(ctx.caller),
    });
  }

  @FieldResolver(() => [AddOn], { description: 'Add-ons bought for this subscription, oldest first.' })
  async addOns(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<SubscriptionDoc[]> {
    const addOns = await ctx.loaders.addOnsByParentId.load(s._id);
    // ROLE-MARKETPLACE: a marketplace add-on is left out for other roles, as connections do.
    return mayRead(ctx.caller, 'Subscription.addOns(publisher: isv)') ? addOns : addOns.filter((a) => a.publisher !== 'isv');
  }
}

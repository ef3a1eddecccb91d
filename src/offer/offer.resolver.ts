import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { OfferDoc } from '../db/documents.js';
import { PageArgs } from '../shared/connection.type.js';
import type { Context } from '../shared/context.js';
import { parseId } from '../shared/ids.js';
import { money } from '../shared/money.type.js';
import type { Page } from '../shared/pagination.js';
import { OfferFilter } from './offer.input.js';
import { BillingPlan, Offer, OfferConnection } from './offer.type.js';

@Resolver(() => Offer)
export class OfferResolver {
  @Query(() => Offer, {
    nullable: true,
    description: 'One catalog offer (add-ons included); null with a NOT_FOUND error for an unknown ID.',
  })
  offer(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<OfferDoc> {
    return ctx.loaders.offerById.load(parseId('offer', id));
  }

  @Query(() => OfferConnection, { description: 'The catalog, without add-ons (ADDON-NOT-CATALOG), filtered (CAT-FILTER).' })
  offers(
    @Args() page: PageArgs,
    @Arg('filter', () => OfferFilter, { nullable: true }) filter: OfferFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Page<OfferDoc>> {
    return ctx.repositories.offers.page(filter, page, ctx.caller.partner._id);
  }

  @FieldResolver(() => [BillingPlan])
  billingPlans(@Root() offer: OfferDoc): BillingPlan[] {
    return offer.billingPlans.map((p) => ({ ...p, unitPrice: money(p.unitPriceCents, offer.currency) }));
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Length of the free trial in days (CAT-TRIAL); null if none.' })
  trialDays(@Root() offer: OfferDoc): number | null {
    return offer.trial?.days ?? null;
  }

  @FieldResolver(() => [Offer], {
    nullable: 'items',
    description: 'Offers this one can be upgraded to (UPG-ELIGIBLE); one that cannot be read is null, with its error.',
  })
  upgradeTargets(@Root() offer: OfferDoc, @Ctx() ctx: Context): Promise<(OfferDoc | Error)[]> {
    return ctx.loaders.offerById.loadMany(offer.upgradeTargetIds);
  }

  @FieldResolver(() => [Offer], {
    nullable: 'items',
    description:
      'Add-ons that can be bought for a subscription of this offer (ADDON-ELIGIBLE); one that cannot be read is null, with its error.',
  })
  eligibleAddOns(@Root() offer: OfferDoc, @Ctx() ctx: Context): Promise<(OfferDoc | Error)[]> {
    return ctx.loaders.offerById.loadMany(offer.eligibleAddOnIds);
  }

  @FieldResolver(() => Offer, { nullable: true, description: 'The paid offer a trial converts to (CAT-TRIAL).' })
  trialConvertsTo(@Root() offer: OfferDoc, @Ctx() ctx: Context): Promise<OfferDoc> | null {
    return offer.trial ? ctx.loaders.offerById.load(offer.trial.convertsToOfferId) : null;
  }
}

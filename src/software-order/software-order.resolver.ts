import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { CustomerDoc, OfferDoc, SoftwareActivityDoc, SoftwareKey, SoftwareOrderDoc, SupportRequestDoc } from '../db/documents.js';
import { Customer } from '../customer/customer.type.js';
import { Offer } from '../offer/offer.type.js';
import {
  checkActivityLogRange,
  checkActivityLogRole,
  isCancellationPending,
  listedKeys,
  softwareAllowedActions,
  softwareCancelInfo,
  visibleStatus,
  type SoftwareActionAvailability,
  type SoftwareCancelInfo,
} from '../policy/software.js';
import { PageArgs } from '../shared/connection.type.js';
import type { Context } from '../shared/context.js';
import { SoftwareOrderStatusEnum } from '../shared/enums.js';
import { badUserInput, forbidden } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import { pageChildren } from '../read/loader-utils.js';
import { Money, money } from '../shared/money.type.js';
import { pagedFind } from '../shared/paged-find.js';
import type { Page } from '../shared/pagination.js';
import { SOFTWARE_ACTIVITY_SORT, SUPPORT_REQUEST_SORT } from './software-order.loader.js';
import {
  SoftwareActivity,
  SoftwareActivityConnection,
  SoftwareCancellationInfo,
  SoftwareKeyInfo,
  SoftwareOrder,
  SoftwareOrderAllowedAction,
  SupportRequest,
  SupportRequestConnection,
} from './software-order.type.js';
import { SUPPORT_REQUEST_KINDS } from '../policy/support-request.js';

@Resolver(() => SoftwareOrder)
export class SoftwareOrderResolver {
  @Query(() => SoftwareOrder, {
    nullable: true,
    description: 'One software order of one of your customers, by order ID; null with a NOT_FOUND error for an unknown ID.',
  })
  softwareOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<SoftwareOrderDoc> {
    return ctx.loaders.softwareOrderById.load(parseId('software order', id));
  }

  @FieldResolver(() => Customer, {
    nullable: true,
    description: 'The customer it was bought for; null with an error if it cannot be read.',
  })
  customer(@Root() order: SoftwareOrderDoc, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(order.customerId);
  }

  @FieldResolver(() => Offer, { nullable: true, description: 'The catalog offer bought; null with an error if it cannot be read.' })
  offer(@Root() order: SoftwareOrderDoc, @Ctx() ctx: Context): Promise<OfferDoc> {
    return ctx.loaders.offerById.load(order.offerId);
  }

  @FieldResolver(() => Money)
  amount(@Root() order: SoftwareOrderDoc): Money {
    return money(order.amountCents, order.currency);
  }

  @FieldResolver(() => SoftwareOrderStatusEnum, {
    description:
      'SW-CANCEL-DELAY: a cancellation shows here once its delay (up to 15 minutes of the simulation clock) has passed; until then cancellationPending is true.',
  })
  async status(@Root() order: SoftwareOrderDoc, @Ctx() ctx: Context): Promise<SoftwareOrderDoc['status']> {
    return order.status === 'cancelled' ? visibleStatus(order, await ctx.now()) : order.status;
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: 'When the cancellation was confirmed; set at once, while status may still show ACTIVE (SW-CANCEL-DELAY).',
  })
  cancellationDate(@Root() order: SoftwareOrderDoc): Date | null {
    return order.status === 'cancelled' ? order.cancelledAt : null;
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: 'SW-CANCEL-DELAY: from this instant status shows CANCELLED; set as soon as the cancellation is confirmed.',
  })
  cancellationVisibleAt(@Root() order: SoftwareOrderDoc): Date | null {
    return order.status === 'cancelled' ? order.cancellationVisibleAt : null;
  }

  @FieldResolver(() => Boolean, {
    description:
      'SW-CANCEL-DELAY: the cancellation is confirmed (keys revoked, credit written) but status does not show it yet; it will from cancellationVisibleAt.',
  })
  async cancellationPending(@Root() order: SoftwareOrderDoc, @Ctx() ctx: Context): Promise<boolean> {
    // An order never cancelled needs no clock read.
    return order.status === 'cancelled' && isCancellationPending(order, await ctx.now());
  }

  @FieldResolver(() => [SoftwareKeyInfo], {
    description:
      'SW-KEYS: the product versions, languages and bitnesses to get keys and downloads for (getSoftwareKey). Empty as soon as a cancellation is confirmed, before status shows it: the order stays listed without its keys (SW-POST-CANCEL).',
  })
  keys(@Root() order: SoftwareOrderDoc): Omit<SoftwareKey, 'productKey' | 'downloadUrl' | 'revoked'>[] {
    return listedKeys(order).map((k) => ({
      productVersion: k.productVersion,
      language: k.language,
      bitness: k.bitness,
      keyType: k.keyType,
    }));
  }

  @FieldResolver(() => SoftwareCancellationInfo, {
    description:
      'SW-CANCEL-INFO: days left to cancel, or that the window has passed (a support request is needed), or why it cannot be cancelled.',
  })
  async cancellationInfo(@Root() order: SoftwareOrderDoc, @Ctx() ctx: Context): Promise<SoftwareCancelInfo> {
    return softwareCancelInfo(order, await ctx.now());
  }

  @FieldResolver(() => [SoftwareOrderAllowedAction], {
    nullable: true,
    description:
      'Every action on the order, allowed or not, with the rule and reason when not; the same decisions the mutations make. Null, with the error, when its customer cannot be read.',
  })
  async allowedActions(@Root() order: SoftwareOrderDoc, @Ctx() ctx: Context): Promise<SoftwareActionAvailability[]> {
    const [customer, now] = await Promise.all([ctx.loaders.customerById.load(order.customerId), ctx.now()]);
    return softwareAllowedActions({ order, customer, actor: ctx.caller, now, delayMs: ctx.settings.softwareCancelDelayMs });
  }
}

@Resolver(() => SoftwareActivity)
export class SoftwareActivityResolver {
  @Query(() => SoftwareActivityConnection, {
    description:
      'SW-ACTIVITY-LOG: every product-key view and download of your customers in [from, to) (at most 90 days), oldest first. Global, account, referral and marketing content admins only (ROLE-ACTIVITY-LOG).',
  })
  async activityLog(
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<Page<SoftwareActivityDoc>> {
    const role = checkActivityLogRole(ctx.caller);
    if (role) throw forbidden(role);
    const bad = checkActivityLogRange(from, to);
    if (bad) throw badUserInput(bad.message, { argumentName: bad.argumentName, rule: 'SW-ACTIVITY-LOG' });
    const where = { partnerId: ctx.caller.partner._id, at: { $gte: from, $lt: to } };
    return pagedFind({
      collection: ctx.collections.softwareActivity,
      connection: 'activityLog',
      filterArgs: { from, to },
      where,
      args: page,
      sort: SOFTWARE_ACTIVITY_SORT,
      partnerId: ctx.caller.partner._id,
    });
  }

  @FieldResolver(() => Customer, {
    nullable: true,
    description: 'The customer whose key was used; null with an error if it cannot be read.',
  })
  customer(@Root() a: SoftwareActivityDoc, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(a.customerId);
  }

  @FieldResolver(() => SoftwareOrder, {
    nullable: true,
    description: 'The software order whose key was used; null with an error if it cannot be read.',
  })
  softwareOrder(@Root() a: SoftwareActivityDoc, @Ctx() ctx: Context): Promise<SoftwareOrderDoc> {
    return ctx.loaders.softwareOrderById.load(a.softwareOrderId);
  }
}

@Resolver(() => SupportRequest)
export class SupportRequestResolver {
  @FieldResolver(() => String, { nullable: true, description: 'e.g. "billing" (reservations).' })
  issueType(@Root() r: SupportRequestDoc): string | null {
    return SUPPORT_REQUEST_KINDS[r.kind].issueType;
  }

  @FieldResolver(() => Money, { nullable: true, description: 'The amount asked.' })
  amountRequested(@Root() r: SupportRequestDoc): Money | null {
    return r.amountRequestedCents === null ? null : money(r.amountRequestedCents, r.currency ?? 'USD');
  }

  @FieldResolver(() => Customer)
  customer(@Root() r: SupportRequestDoc, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(r.customerId);
  }
}

@Resolver(() => Customer)
export class CustomerSupportRequestsResolver {
  @FieldResolver(() => SupportRequestConnection, {
    description: "The customer's support requests for refunds and exchanges (SW-SUPPORT-REQUEST, RES-SUPPORT-REQUEST), oldest first.",
  })
  supportRequests(@Root() c: CustomerDoc, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<SupportRequestDoc>> {
    return pageChildren({
      loader: ctx.loaders.supportRequestsByCustomerId,
      parentId: c._id,
      connection: 'customer.supportRequests',
      args: page,
      sort: SUPPORT_REQUEST_SORT,
      partnerId: ctx.caller.partner._id,
    });
  }
}

import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { CustomerDoc, OrderDoc, ReservationDoc, SoftwareOrderDoc, SubscriptionDoc } from '../db/documents.js';
import { OrderConnection } from '../order/order.type.js';
import { ORDER_SORT } from '../order/order.loader.js';
import { ReservationConnection } from '../reservation/reservation.type.js';
import { RESERVATION_SORT } from '../reservation/reservation.loader.js';
import { PageArgs } from '../shared/connection.type.js';
import type { Context } from '../shared/context.js';
import { subscriptionVisibility } from '../shared/authorization.js';
import { parseId } from '../shared/ids.js';
import { pageChildren } from '../read/loader-utils.js';
import type { Page } from '../shared/pagination.js';
import { SoftwareOrderConnection } from '../software-order/software-order.type.js';
import { SOFTWARE_ORDER_SORT } from '../software-order/software-order.loader.js';
import { SubscriptionFilter } from '../subscription/subscription.input.js';
import { rejectCustomerSearchInNested, subscriptionConditions, SUBSCRIPTION_SORT } from '../subscription/subscription.repository.js';
import { SubscriptionConnection } from '../subscription/subscription.type.js';
import { CustomerFilter } from './customer.input.js';
import { Customer, CustomerBillingProfile, CustomerCompanyProfile, CustomerConnection } from './customer.type.js';

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, {
    nullable: true,
    description: "One of your customers, by tenant ID; null with a NOT_FOUND error for an unknown ID or another partner's customer.",
  })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(parseId('customer', id));
  }

  @Query(() => CustomerConnection, { description: 'Your customers, by company name.' })
  customers(
    @Args() page: PageArgs,
    @Arg('filter', () => CustomerFilter, { nullable: true }) filter: CustomerFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Page<CustomerDoc>> {
    return ctx.repositories.customers.page(ctx.caller.partner._id, filter, page);
  }

  @FieldResolver(() => CustomerCompanyProfile)
  companyProfile(@Root() c: CustomerDoc): CustomerCompanyProfile {
    return { tenantId: c._id, domain: c.domain, companyName: c.companyName };
  }

  @FieldResolver(() => CustomerBillingProfile)
  billingProfile(@Root() c: CustomerDoc): CustomerBillingProfile {
    return { companyName: c.companyName, defaultAddress: { country: c.billingCountry } };
  }

  @FieldResolver(() => SubscriptionConnection, {
    description:
      "The customer's base subscriptions, oldest first; marketplace (ISV) ones only for global admins and admin agents (ROLE-MARKETPLACE).",
  })
  subscriptions(
    @Root() c: CustomerDoc,
    @Args() page: PageArgs,
    @Arg('filter', () => SubscriptionFilter, { nullable: true }) filter: SubscriptionFilter | null,
    @Ctx() ctx: Context,
  ): Promise<Page<SubscriptionDoc>> {
    rejectCustomerSearchInNested(filter);
    const where = { ...subscriptionVisibility(ctx.caller), ...subscriptionConditions(filter) };
    return pageChildren({
      loader: ctx.loaders.baseSubscriptionsByCustomerId,
      parentId: c._id,
      connection: 'customer.subscriptions',
      filterArgs: filter,
      where,
      args: page,
      sort: SUBSCRIPTION_SORT,
      partnerId: ctx.caller.partner._id,
    });
  }

  @FieldResolver(() => OrderConnection, { description: "The customer's orders, oldest first." })
  orders(@Root() c: CustomerDoc, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<OrderDoc>> {
    return pageChildren({
      loader: ctx.loaders.ordersByCustomerId,
      parentId: c._id,
      connection: 'customer.orders',
      args: page,
      sort: ORDER_SORT,
      partnerId: ctx.caller.partner._id,
    });
  }

  @FieldResolver(() => SoftwareOrderConnection, { description: "The customer's software purchases, oldest first." })
  softwareOrders(@Root() c: CustomerDoc, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<SoftwareOrderDoc>> {
    return pageChildren({
      loader: ctx.loaders.softwareOrdersByCustomerId,
      parentId: c._id,
      connection: 'customer.softwareOrders',
      args: page,
      sort: SOFTWARE_ORDER_SORT,
      partnerId: ctx.caller.partner._id,
    });
  }

  @FieldResolver(() => ReservationConnection, { description: "The customer's Azure reservations, oldest first." })
  reservations(@Root() c: CustomerDoc, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<ReservationDoc>> {
    return pageChildren({
      loader: ctx.loaders.reservationsByCustomerId,
      parentId: c._id,
      connection: 'customer.reservations',
      args: page,
      sort: RESERVATION_SORT,
      partnerId: ctx.caller.partner._id,
    });
  }
}

import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AddOnResolver } from './addon/addon.resolver.js';
import { ClockResolver } from './clock/clock.resolver.js';
import { CustomerResolver } from './customer/customer.resolver.js';
import { OfferResolver } from './offer/offer.resolver.js';
import { OrderLineItemResolver, OrderResolver } from './order/order.resolver.js';
import { ViewerResolver } from './partner/viewer.resolver.js';
import { ReservationResolver } from './reservation/reservation.resolver.js';
import { SoftwareOrderResolver } from './software-order/software-order.resolver.js';
import { SubscriptionFieldsResolver } from './subscription/subscription-fields.resolver.js';
import { SubscriptionResolver } from './subscription/subscription.resolver.js';

export const RESOLVERS = [
  ViewerResolver,
  CustomerResolver,
  SubscriptionResolver,
  SubscriptionFieldsResolver,
  AddOnResolver,
  OfferResolver,
  OrderResolver,
  OrderLineItemResolver,
  SoftwareOrderResolver,
  ReservationResolver,
  ClockResolver,
] as const;

/** The executable schema, built from the decorated classes; `schema/schema.graphql` is its printout. */
export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: RESOLVERS, validate: false, emitSchemaFile: false });
}

import {
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  isListType,
  isNonNullType,
  type GraphQLNamedOutputType,
  type GraphQLOutputType,
} from 'graphql';
import { buildSchema, type BuildSchemaOptions, type PubSub } from 'type-graphql';
import { AddOnResolver } from '../addon/addon.resolver.js';
import { AuditResolver } from '../audit/audit.resolver.js';
import { ClockMutationResolver } from '../clock/clock.mutation.js';
import { ClockResolver } from '../clock/clock.resolver.js';
import { EventResolver } from '../event/event.resolver.js';
import { CustomerLedgerResolver, InvoiceResolver, LedgerEntryResolver } from '../ledger/ledger.resolver.js';
import { purchaseMutations } from '../purchase/mutations/index.js';
import { CustomerResolver } from '../customer/customer.resolver.js';
import { customerMutations } from '../customer/mutations/index.js';
import { OfferResolver } from '../offer/offer.resolver.js';
import { OrderLineItemResolver, OrderResolver } from '../order/order.resolver.js';
import { ViewerResolver } from '../partner/viewer.resolver.js';
import { reservationMutations } from '../reservation/mutations/index.js';
import { ReservationResolver } from '../reservation/reservation.resolver.js';
import { softwareOrderMutations } from '../software-order/mutations/index.js';
import {
  CustomerSupportRequestsResolver,
  SoftwareActivityResolver,
  SoftwareOrderResolver,
  SupportRequestResolver,
} from '../software-order/software-order.resolver.js';
import { SubscriptionFieldsResolver } from '../subscription/subscription-fields.resolver.js';
import { SubscriptionResolver } from '../subscription/subscription.resolver.js';
import { subscriptionMutations } from '../subscription/mutations/index.js';
import { sandboxMutations } from '../sandbox/mutations/index.js';
import { SandboxResolver } from '../sandbox/sandbox.resolver.js';
import { offerMutations } from '../offer/mutations/index.js';
import { webhookMutations } from '../webhook/mutations/index.js';
import { WebhookResolver } from '../webhook/webhook.resolver.js';
import { DateTimeISOScalar } from '../shared/date-time.scalar.js';
import { EventSubscriptionResolver } from '../event/event.subscription.js';

export const RESOLVERS = [
  ViewerResolver,
  CustomerResolver,
  ...customerMutations,
  SubscriptionResolver,
  SubscriptionFieldsResolver,
  AddOnResolver,
  OfferResolver,
  ...offerMutations,
  OrderResolver,
  OrderLineItemResolver,
  SoftwareOrderResolver,
  SoftwareActivityResolver,
  SupportRequestResolver,
  CustomerSupportRequestsResolver,
  ...softwareOrderMutations,
  ReservationResolver,
  ...reservationMutations,
  ClockResolver,
  ...subscriptionMutations,
  ...purchaseMutations,
  ClockMutationResolver,
  CustomerLedgerResolver,
  LedgerEntryResolver,
  InvoiceResolver,
  AuditResolver,
  EventResolver,
  SandboxResolver,
  ...sandboxMutations,
  WebhookResolver,
  ...webhookMutations,
] as const;

/** Resolvers of the subscription root (docs/live-events.md); built apart, see `createSchema`. */
export const SUBSCRIPTION_RESOLVERS = [EventSubscriptionResolver] as const;

/**
 * The subscription root's name. Not GraphQL's customary `Subscription`: that is Partner Center's
 * subscription (the object type), and clients never name the root type.
 */
export const SUBSCRIPTION_ROOT = 'SubscriptionRoot';

/**
 * type-graphql insists on a PubSub whenever a schema has subscriptions, even where each one
 * brings its own `subscribe` (ours follow the event feed, src/event/event-feed.ts). This one is
 * never called; it says so if it ever is.
 */
const NO_PUBSUB: PubSub = {
  publish: () => {
    throw new Error('the gateway publishes no topics: subscriptions follow the event feed');
  },
  subscribe: () => {
    throw new Error('the gateway publishes no topics: subscriptions follow the event feed');
  },
};

const BUILD_OPTIONS = {
  validate: false,
  emitSchemaFile: false,
  // Every `Date` is DateTimeISO, ours: it also takes a bare date and says what it expected.
  scalarsMap: [{ type: Date, scalar: DateTimeISOScalar }],
} satisfies Omit<BuildSchemaOptions, 'resolvers'>;

/**
 * The executable schema, built from the decorated classes; `schema/schema.graphql` is its printout.
 * type-graphql names the subscription root `Subscription`, which Partner Center's subscription
 * type holds already: so the subscriptions are built as a schema of their own, and their root's
 * fields join the main schema under SUBSCRIPTION_ROOT, each type they name taken from the main
 * schema where it has one of that name (one `Event` type whatever returns it).
 */
export async function createSchema(): Promise<GraphQLSchema> {
  const main = await buildSchema({ ...BUILD_OPTIONS, resolvers: RESOLVERS });
  // Only its subscription root is used: its empty Query would fail type-graphql's check.
  const live = await buildSchema({ ...BUILD_OPTIONS, resolvers: SUBSCRIPTION_RESOLVERS, pubSub: NO_PUBSUB, skipCheck: true });
  const own = (type: GraphQLOutputType): GraphQLOutputType => {
    if (isNonNullType(type)) return new GraphQLNonNull(own(type.ofType) as Exclude<GraphQLOutputType, GraphQLNonNull<never>>);
    if (isListType(type)) return new GraphQLList(own(type.ofType));
    return (main.getType(type.name) as GraphQLNamedOutputType | undefined) ?? type;
  };
  const { fields, description } = live.getSubscriptionType()!.toConfig();
  const root = new GraphQLObjectType({
    name: SUBSCRIPTION_ROOT,
    description,
    fields: Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, { ...field, type: own(field.type) }])),
  });
  return new GraphQLSchema({ ...main.toConfig(), subscription: root });
}

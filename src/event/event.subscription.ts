import { Args, ArgsType, Field, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { EventDoc } from '../db/documents.js';
import { EVENT_TYPE_NAMES, isEventType } from '../policy/events.js';
import type { Collections } from '../db/collections.js';
import { eventReadScope, listsEvent, SUBSCRIPTION_RESOURCES } from '../policy/event-access.js';
import type { Context } from '../shared/context.js';
import { badUserInput, ClientError } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import { eventPayload, resourceUri } from './event-payload.js';
import { isFeedOverflow, type EventFeed, type FeedOverflow, type FeedSubscription } from './event-feed.js';
import { Event } from './event.type.js';

declare module '../shared/context.js' {
  interface Context {
    /** This instance's live event feed (src/event/event-feed.ts), for `eventAdded`. */
    eventFeed: EventFeed;
  }
}

@ArgsType()
export class EventAddedArgs {
  @Field(() => [String], { nullable: true, description: 'Only events with one of these names (see `eventTypes`); all when absent.' })
  types?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'Only events of this customer; all of the partner when absent.' })
  customerId?: string | null;
}

/** An event as the `Event` type shows it: the stored document plus the fields derived from it (src/event/event-payload.ts). */
export function eventView(doc: EventDoc): Event & EventDoc {
  const payload = eventPayload(doc);
  return {
    ...doc,
    resourceUri: resourceUri(doc),
    auditUri: payload.AuditUri,
    operationType: doc.operationKind,
    resourceChangeUtcDate: doc.at,
    payload: JSON.stringify(payload),
  };
}

/** Subscriptions whose publisher a subscriber remembers, at most (a publisher never changes). */
const MARKETPLACE_MEMO_MAX = 10_000;

/**
 * Whether a subscription, or the base of an add-on, is a marketplace (ISV) one: what
 * ROLE-MARKETPLACE hides (src/policy/event-access.ts). Remembered per subscriber.
 */
function marketplaceLookup(subscriptions: Collections['subscriptions'], partnerId: string): (id: string) => Promise<boolean> {
  const memo = new Map<string, boolean>();
  const publisherOf = (id: string) =>
    subscriptions.findOne({ _id: id, partnerId }, { projection: { publisher: 1, parentSubscriptionId: 1 } });
  return async (id) => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const sub = await publisherOf(id);
    const base = sub?.parentSubscriptionId ? await publisherOf(sub.parentSubscriptionId) : null;
    const marketplace = sub?.publisher === 'isv' || base?.publisher === 'isv';
    if (memo.size >= MARKETPLACE_MEMO_MAX) memo.clear();
    memo.set(id, marketplace);
    return marketplace;
  };
}

/**
 * The checks `eventAdded` makes before it follows anything, then the caller's partner's feed,
 * filtered by the arguments, showing what `events` would list to the caller: its own partner's
 * events only (ROLE-TENANT), marketplace subscriptions' only with ROLE-MARKETPLACE.
 */
async function follow(ctx: Context, args: EventAddedArgs): Promise<FeedSubscription> {
  const unknown = (args.types ?? []).filter((t) => !isEventType(t));
  if (unknown.length > 0) {
    throw badUserInput(
      `Argument 'types' must list event names from eventTypes (${EVENT_TYPE_NAMES.join(', ')}), but got '${unknown.join("', '").slice(0, 200)}'`,
      { argumentName: 'types' },
    );
  }
  const types = args.types && args.types.length > 0 ? new Set(args.types) : null;
  const customerId = args.customerId == null ? null : parseId('customer', args.customerId, 'customerId');
  const scope = eventReadScope(ctx.caller);
  const marketplace = scope.marketplace ? null : marketplaceLookup(ctx.collections.subscriptions, scope.partnerId);
  return ctx.eventFeed.subscribe(
    scope.partnerId,
    (event) => (types === null || types.has(event.type)) && (customerId === null || event.customerId === customerId),
    async (event) =>
      listsEvent(scope, {
        partnerId: event.partnerId,
        resourceName: event.resourceName,
        marketplaceResource:
          marketplace !== null && SUBSCRIPTION_RESOURCES.includes(event.resourceName) && (await marketplace(event.resourceId)),
      }),
  );
}

@Resolver(() => Event)
export class EventSubscriptionResolver {
  @Subscription(() => Event, {
    description:
      "The caller's partner's events as they happen, in sequence order (docs/live-events.md), over graphql-ws (`/graphql`) or graphql-sse (`/graphql/stream`). Starts at the partner's latest event: read what came before with `events`. A subscriber that falls more than LIVE_QUEUE_MAX events behind is ended with SUBSCRIBER_TOO_SLOW.",
    subscribe: ({ args, context }) => follow(context as Context, args as EventAddedArgs),
  })
  eventAdded(@Root() item: EventDoc | FeedOverflow, @Args() _args: EventAddedArgs): Event {
    if (isFeedOverflow(item)) {
      throw new ClientError(
        'SUBSCRIBER_TOO_SLOW',
        `A subscriber must keep within ${item.limit} unsent events, but fell further behind: the subscription is ended; read from sequence ${item.missedFrom} on with events and subscribe again`,
        { limit: item.limit, missedFrom: item.missedFrom },
      );
    }
    return eventView(item);
  }
}

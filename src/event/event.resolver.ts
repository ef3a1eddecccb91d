import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { EventDoc } from '../db/documents.js';
import { decideEventRead, eventReadScope, SUBSCRIPTION_RESOURCES } from '../policy/event-access.js';
import { EVENT_TYPE_NAMES, EVENT_TYPES, isEventType } from '../policy/events.js';
import { PageArgs } from '../shared/connection.type.js';
import type { Context } from '../shared/context.js';
import { badUserInput, forbidden, notFound } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import type { Page } from '../shared/pagination.js';
import { eventPayload, PARTNER_CENTER_API, resourceUri } from './event-payload.js';
import { findEvent, findEvents, isMarketplaceSubscription } from './event.repository.js';
import { Event, EventConnection, EventFilter, EventTypeInfo } from './event.type.js';

/** The longest event ID: `<operation ID>:<effect index>`; anything longer names no event. */
const MAX_EVENT_ID_LENGTH = 200;

/** `filter.types`, each a name of EVENT_TYPES; an unknown one is BAD_USER_INPUT listing the valid names. */
export function eventTypesFilter(types: readonly string[] | null | undefined): string[] | null {
  if (!types?.length) return null;
  const unknown = types.filter((t) => !isEventType(t));
  if (unknown.length > 0) {
    throw badUserInput(
      `Filter 'types' must hold event names, but got ${unknown.map((t) => `'${t.slice(0, 80)}'`).join(', ')}; the names are ${EVENT_TYPE_NAMES.join(', ')}`,
      { argumentName: 'filter.types', validValues: EVENT_TYPE_NAMES },
    );
  }
  return [...new Set(types)];
}

@Resolver(() => Event)
export class EventResolver {
  @Query(() => EventConnection, {
    description:
      "Your events in sequence order, oldest first (docs/events.md): every change the gateway applied, within the retention period (EVENT_RETENTION). Follow the log by asking again `after` the last `endCursor`. Marketplace subscriptions' events need ROLE-MARKETPLACE, as the subscriptions do.",
  })
  events(
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
    @Arg('filter', () => EventFilter, { nullable: true }) filter?: EventFilter | null,
  ): Promise<Page<EventDoc>> {
    const from = filter?.from ?? null;
    const to = filter?.to ?? null;
    if (from && to && to.getTime() < from.getTime()) {
      throw badUserInput(`Filter 'to' must not be before 'from', but got from ${from.toISOString()} and to ${to.toISOString()}`, {
        argumentName: 'filter.to',
      });
    }
    return findEvents(
      ctx.collections,
      {
        scope: eventReadScope(ctx.caller),
        types: eventTypesFilter(filter?.types),
        customerId: filter?.customerId ? parseId('customer', filter.customerId, 'filter.customerId') : null,
        resourceId: filter?.resourceId || null,
        from,
        to,
      },
      page,
    );
  }

  @Query(() => Event, {
    nullable: true,
    description: "One of your events by ID; null with a NOT_FOUND error for an unknown ID or another partner's event.",
  })
  async event(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<EventDoc> {
    if (id.length > MAX_EVENT_ID_LENGTH) throw notFound('event', id.slice(0, MAX_EVENT_ID_LENGTH));
    const partnerId = ctx.caller.partner._id;
    const doc = await findEvent(ctx.collections, partnerId, id);
    if (!doc) throw notFound('event', id);
    const marketplaceResource =
      SUBSCRIPTION_RESOURCES.includes(doc.resourceName) &&
      (await isMarketplaceSubscription(ctx.collections.subscriptions, partnerId, doc.resourceId));
    const decision = decideEventRead(ctx.caller, { partnerId: doc.partnerId, resourceName: doc.resourceName, marketplaceResource });
    if (!decision.allowed) throw forbidden(decision);
    if (!decision.visible) throw notFound('event', id);
    return doc;
  }

  @Query(() => [EventTypeInfo], {
    description: 'Every event name, with what it means (the names `events` filters by and webhooks register for).',
  })
  eventTypes(): EventTypeInfo[] {
    return EVENT_TYPE_NAMES.map((name) => ({ name, description: EVENT_TYPES[name] }));
  }

  @FieldResolver()
  resourceUri(@Root() e: EventDoc): string {
    return resourceUri(e);
  }

  @FieldResolver()
  auditUri(@Root() e: EventDoc): string | null {
    return e.auditRecordId === null ? null : `${PARTNER_CENTER_API}/auditactivity/v1/auditrecords/${e.auditRecordId}`;
  }

  @FieldResolver()
  operationType(@Root() e: EventDoc): string {
    return e.operationKind;
  }

  @FieldResolver()
  resourceChangeUtcDate(@Root() e: EventDoc): Date {
    return e.at;
  }

  @FieldResolver()
  payload(@Root() e: EventDoc): string {
    return JSON.stringify(eventPayload(e));
  }
}

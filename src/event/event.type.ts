import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../shared/connection.type.js';

/**
 * An event (docs/events.md): one change the gateway applied, as Partner Center's webhooks describe
 * it. Resolvers return the stored `EventDoc`; the fields that differ from the document (`sequence`,
 * `operationType`, `resourceUri`, `auditUri`, `resourceChangeUtcDate`, `payload`) are resolved in
 * event.resolver.ts from src/event/event-payload.ts, so the GraphQL type and a webhook body never
 * disagree. JSON values (`changes`, `payload`) are JSON strings, as the audit record's values are:
 * the schema has no JSON scalar.
 */
@ObjectType({
  description: 'One change the gateway applied, as a Partner Center webhook event: listed by `events`, streamed, delivered to webhooks.',
})
export class Event {
  @Field(() => ID, {
    name: 'id',
    description:
      'The event ID (`<operation ID>:<effect index>`): the same in every delivery of it, for de-duplication (payload `EventId`).',
  })
  _id!: string;

  @Field(() => Int, {
    name: 'sequence',
    description:
      "The partner's sequence number: 1, 2, 3 ... without gaps; the partner's events are totally ordered by it (payload `Sequence`).",
  })
  seq!: number;

  @Field(() => String, {
    description:
      'The event name, `{resource}-{action}` (e.g. `subscription-updated`), one of `eventTypes` (payload `EventName`). A String: GraphQL enums cannot spell dashes.',
  })
  type!: string;

  @Field(() => String, {
    description:
      'The kind of resource changed: subscription, customer, order, reservation, softwareorder, clock, invoice ... (payload `ResourceName`).',
  })
  resourceName!: string;

  @Field(() => String, {
    description: 'The ID of the resource changed (payload `ResourceId`); the invoice period `YYYY-MM` for invoice-ready.',
  })
  resourceId!: string;

  @Field(() => String, { description: "The resource's Partner Center REST URI (payload `ResourceUri`)." })
  resourceUri!: string;

  @Field(() => String, {
    nullable: true,
    description: "The operation's audit record as a Partner Center URI (payload `AuditUri`); null when it has none.",
  })
  auditUri!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The customer the resource belongs to; null for partner-wide events (clock, invoices, offers).',
  })
  customerId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The operation that applied the change (payload `OperationId`); null for a webhook `test-created` event.',
  })
  operationId!: string | null;

  @Field(() => String, {
    description:
      "The operation's kind in Partner Center audit `operationType` style, e.g. cancel_subscription, renewal, advance_clock (payload `OperationType`).",
  })
  operationType!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The rule the change carries out, e.g. BILL-MONTHLY, GEN-CLOCK (payload `RuleId`); null when none applies.',
  })
  ruleId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'What changed, as a JSON string: the fields set and their new values, or the created resource (payload `Changes`).',
  })
  changes!: string | null;

  @Field(() => Date, {
    description: 'When the change happened on the partner simulation clock (GEN-CLOCK): payload `ResourceChangeUtcDate`.',
  })
  at!: Date;

  @Field(() => Date, { description: 'The same instant as `at`, under Partner Center’s name for it (`ResourceChangeUtcDate`).' })
  resourceChangeUtcDate!: Date;

  @Field(() => Date, {
    description: 'When the event was written, on the wall clock (payload `WallClockUtcDate`); retention counts from it.',
  })
  createdAt!: Date;

  @Field(() => String, {
    description:
      'The exact body a webhook delivery of this event carries, as a JSON string: Partner Center’s fields (`EventName`, `ResourceUri`, `ResourceName`, `AuditUri`, `ResourceChangeUtcDate`) and the gateway’s.',
  })
  payload!: string;
}

export const EventConnection = ConnectionType(Event, 'Event');

@ObjectType('EventType', { description: 'One event name of the catalogue, with what it means.' })
export class EventTypeInfo {
  @Field(() => String, { description: 'The event name, `{resource}-{action}`, e.g. subscription-renewed.' })
  name!: string;

  @Field(() => String, { description: 'What the event means.' })
  description!: string;
}

@InputType({ description: 'Filters on events; all given filters must match.' })
export class EventFilter {
  @Field(() => [String], { nullable: true, description: 'Only events with one of these names (see `eventTypes`).' })
  types?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'Only events of this customer.' })
  customerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only events of this resource (a subscription, order, reservation ... ID).' })
  resourceId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only events at or after this instant on the simulation clock (GEN-CLOCK).' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only events before this instant on the simulation clock (GEN-CLOCK).' })
  to?: Date | null;
}

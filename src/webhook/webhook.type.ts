import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { WebhookAttempt as WebhookAttemptDoc, WebhookDeliveryDoc, WebhookRegistrationDoc } from '../db/documents.js';
import { ConnectionType } from '../shared/connection.type.js';

export enum WebhookDeliveryStatusEnum {
  PENDING = 'pending',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
}
registerEnumType(WebhookDeliveryStatusEnum, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a delivery stands (docs/webhooks.md, "Retries").',
  valuesConfig: {
    PENDING: { description: 'Not delivered yet: waiting for its first attempt, or for a retry at `nextAttemptAt`.' },
    SUCCEEDED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'Every attempt failed for WEBHOOK_RETRY_PERIOD: given up.' },
  },
});

@ObjectType({
  description: "A URL the gateway POSTs the partner's events to, signed (docs/webhooks.md). Partner Center: webhooks/v1/registration.",
})
export class WebhookRegistration {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Where deliveries go: http(s), a host WEBHOOK_ALLOWED_HOSTS allows (loopback in development).' })
  webhookUrl!: string;

  @Field(() => [String], {
    description: 'The event names delivered (docs/events.md); a `test-created` is delivered to the registration that asked for it.',
  })
  webhookEvents!: string[];

  @Field(() => Date, { description: 'Wall-clock instant, UTC.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'Wall-clock instant, UTC.' })
  updatedAt!: Date;
}

export function toRegistration(doc: WebhookRegistrationDoc): WebhookRegistration {
  return { id: doc._id, webhookUrl: doc.url, webhookEvents: doc.events, createdAt: doc.createdAt, updatedAt: doc.updatedAt };
}

@ObjectType({ description: 'One attempt at a delivery.' })
export class WebhookAttempt {
  @Field(() => Int, { description: '1 for the first attempt, 2 for the first retry ...' })
  attempt!: number;

  @Field(() => Date, { description: 'Wall-clock instant it started, UTC.' })
  at!: Date;

  @Field(() => Int, { description: 'How long it took, in milliseconds.' })
  durationMs!: number;

  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when none came (timeout, refused connection)." })
  responseStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'Why it failed; null when it succeeded.' })
  error!: string | null;
}

@ObjectType({ description: 'One event for one registration: its status and every attempt (docs/webhooks.md, "The delivery log").' })
export class WebhookDelivery {
  @Field(() => ID, { description: '`<registrationId>:<eventId>`.' })
  id!: string;

  @Field(() => ID)
  registrationId!: string;

  @Field(() => ID, { description: 'The event (`EventId` in the payload, the X-PCG-Event-Id header): the same in every attempt.' })
  eventId!: string;

  @Field({ description: '`EventName`, e.g. subscription-updated.' })
  eventName!: string;

  @Field(() => Int, { description: "The event's sequence number in the partner's log." })
  eventSequence!: number;

  @Field(() => WebhookDeliveryStatusEnum)
  status!: WebhookDeliveryStatusEnum;

  @Field(() => [WebhookAttempt], { description: 'Oldest first (the most recent 100).' })
  attempts!: WebhookAttemptDoc[];

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due (wall clock, UTC); null once succeeded or failed.' })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { description: 'When the delivery was recorded (wall clock, UTC).' })
  createdAt!: Date;
}

export function toDelivery(doc: WebhookDeliveryDoc): WebhookDelivery {
  return {
    id: doc._id,
    registrationId: doc.registrationId,
    eventId: doc.eventId,
    eventName: doc.eventType,
    eventSequence: doc.eventSeq,
    status: doc.status as WebhookDeliveryStatusEnum,
    attempts: doc.attempts,
    nextAttemptAt: doc.nextAttemptAt,
    createdAt: doc.createdAt,
  };
}

export const WebhookDeliveryConnection = ConnectionType(WebhookDelivery, 'WebhookDelivery');

@InputType()
export class WebhookDeliveryFilter {
  @Field(() => ID, { nullable: true, description: "Only this event's delivery." })
  eventId?: string | null;

  @Field(() => [WebhookDeliveryStatusEnum], { nullable: true, description: 'Only deliveries in one of these statuses; all when absent.' })
  status?: WebhookDeliveryStatusEnum[] | null;
}

@ObjectType({ description: "A test event (sendWebhookTestEvent) and its delivery: Partner Center's validation event." })
export class WebhookTestEvent {
  @Field(() => ID, { description: "The test event's resource ID: ask for it again with webhookTestEvent(correlationId)." })
  correlationId!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  registrationId!: string;

  @Field(() => WebhookDeliveryStatusEnum, {
    description: 'PENDING until the receiver answered 2xx (SUCCEEDED) or every retry failed (FAILED).',
  })
  status!: WebhookDeliveryStatusEnum;

  @Field(() => WebhookDelivery, {
    nullable: true,
    description: 'Its delivery with every attempt; null until the delivery worker has recorded it.',
  })
  delivery!: WebhookDelivery | null;
}

export function toTestEvent(result: {
  correlationId: string;
  eventId: string;
  registrationId: string;
  delivery: WebhookDeliveryDoc | null;
}): WebhookTestEvent {
  return {
    correlationId: result.correlationId,
    eventId: result.eventId,
    registrationId: result.registrationId,
    status: (result.delivery?.status ?? 'pending') as WebhookDeliveryStatusEnum,
    delivery: result.delivery && toDelivery(result.delivery),
  };
}

/**
 * An event as Partner Center delivers it (docs/events.md): the body of a webhook delivery and the
 * `payload` of the GraphQL `Event`. Partner Center's own five fields first, with its spelling,
 * then ours, in the same PascalCase. URIs follow Partner Center's REST paths (the gateway serves
 * GraphQL only: they name the resource, as Partner Center's would).
 */
import type { EventDoc } from '../db/documents.js';

/** Partner Center's API root, as its webhook events name resources. */
export const PARTNER_CENTER_API = 'https://api.partnercenter.microsoft.com';

export interface EventPayload {
  EventName: string;
  ResourceUri: string;
  ResourceName: string;
  AuditUri: string | null;
  /** Simulation time of the change (GEN-CLOCK), ISO 8601 UTC. */
  ResourceChangeUtcDate: string;
  /** The event's ID: the same in every delivery of it, for de-duplication. */
  EventId: string;
  /** The partner's sequence number: events of one partner are totally ordered by it. */
  Sequence: number;
  PartnerId: string;
  CustomerId: string | null;
  ResourceId: string;
  OperationId: string | null;
  OperationType: string;
  RuleId: string | null;
  /** What changed: the fields set and their new values, or the created resource. */
  Changes: unknown;
  /** Wall-clock time the event was written, ISO 8601 UTC. */
  WallClockUtcDate: string;
}

/** The REST path Partner Center names the event's resource by. */
export function resourceUri(event: Pick<EventDoc, 'resourceName' | 'resourceId' | 'customerId'>): string {
  const customer = event.customerId === null ? '' : `/customers/${event.customerId}`;
  switch (event.resourceName) {
    case 'customer':
      return `${PARTNER_CENTER_API}/v1/customers/${event.resourceId}`;
    case 'subscription':
      return `${PARTNER_CENTER_API}/webhooks/v1${customer}/subscriptions/${event.resourceId}`;
    case 'scheduledchange':
      return `${PARTNER_CENTER_API}/v1${customer}/subscriptions/${event.resourceId}/scheduledNextTermInstructions`;
    case 'order':
      return `${PARTNER_CENTER_API}/v1${customer}/orders/${event.resourceId}`;
    case 'reservation':
      return `${PARTNER_CENTER_API}/v1${customer}/reservations/${event.resourceId}`;
    case 'softwareorder':
      return `${PARTNER_CENTER_API}/v1${customer}/softwareorders/${event.resourceId}`;
    case 'supportrequest':
      return `${PARTNER_CENTER_API}/v1${customer}/servicerequests/${event.resourceId}`;
    case 'offer':
      return `${PARTNER_CENTER_API}/v1/offers/${event.resourceId}`;
    case 'invoice':
      return `${PARTNER_CENTER_API}/v1/invoices/${event.resourceId}`;
    case 'clock':
      return `${PARTNER_CENTER_API}/v1/simulation/clock`;
    case 'test':
      return `${PARTNER_CENTER_API}/webhooks/v1/registration/validationEvents/${event.resourceId}`;
    default:
      return `${PARTNER_CENTER_API}/v1/${event.resourceName}s/${event.resourceId}`;
  }
}

export function eventPayload(event: EventDoc): EventPayload {
  return {
    EventName: event.type,
    ResourceUri: resourceUri(event),
    ResourceName: event.resourceName,
    AuditUri: event.auditRecordId === null ? null : `${PARTNER_CENTER_API}/auditactivity/v1/auditrecords/${event.auditRecordId}`,
    ResourceChangeUtcDate: event.at.toISOString(),
    EventId: event._id,
    Sequence: event.seq,
    PartnerId: event.partnerId,
    CustomerId: event.customerId,
    ResourceId: event.resourceId,
    OperationId: event.operationId,
    OperationType: event.operationKind,
    RuleId: event.ruleId,
    Changes: event.changes === null ? null : (JSON.parse(event.changes) as unknown),
    WallClockUtcDate: event.createdAt.toISOString(),
  };
}

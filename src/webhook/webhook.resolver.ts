import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { PageArgs } from '../shared/connection.type.js';
import type { Context } from '../shared/context.js';
import type { Page } from '../shared/pagination.js';
import type { WebhookDeliveryDoc } from '../db/documents.js';
import {
  toDelivery,
  toRegistration,
  toTestEvent,
  WebhookDeliveryConnection,
  WebhookDeliveryFilter,
  WebhookRegistration,
  WebhookTestEvent,
} from './webhook.type.js';

/** WEBHOOK-ADMIN on every field: global admins and admin agents only (src/policy/webhook.ts). */
@Resolver(() => WebhookRegistration)
export class WebhookResolver {
  @Query(() => [WebhookRegistration], {
    description: "WEBHOOK-ADMIN: the partner's webhook registrations, oldest first (Partner Center: GET webhooks/v1/registration).",
  })
  async webhookRegistrations(@Ctx() ctx: Context): Promise<WebhookRegistration[]> {
    return (await ctx.webhooks.list(ctx.caller)).map(toRegistration);
  }

  @Query(() => WebhookRegistration, {
    nullable: true,
    description: "WEBHOOK-ADMIN: one of the partner's registrations; another partner's is null with NOT_FOUND, as an unknown one.",
  })
  async webhookRegistration(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WebhookRegistration> {
    return toRegistration(await ctx.webhooks.get(ctx.caller, id));
  }

  @Query(() => WebhookDeliveryConnection, {
    nullable: true,
    description: "WEBHOOK-ADMIN: a registration's delivery log in event order: each delivery's status, attempts and next attempt.",
  })
  async webhookDeliveries(
    @Arg('registrationId', () => ID) registrationId: string,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
    @Arg('filter', () => WebhookDeliveryFilter, { nullable: true }) filter?: WebhookDeliveryFilter | null,
  ): Promise<Page<unknown>> {
    const found: Page<WebhookDeliveryDoc> = await ctx.webhooks.deliveries(ctx.caller, registrationId, page, filter ?? {});
    const edges = found.edges.map((e) => ({ cursor: e.cursor, node: toDelivery(e.node) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: found.pageInfo,
      get totalCount() {
        return found.totalCount;
      },
    };
  }

  @Query(() => WebhookTestEvent, {
    nullable: true,
    description: 'WEBHOOK-ADMIN: a test event sendWebhookTestEvent sent, by its correlation ID, with its delivery status.',
  })
  async webhookTestEvent(@Arg('correlationId', () => ID) correlationId: string, @Ctx() ctx: Context): Promise<WebhookTestEvent> {
    return toTestEvent(await ctx.webhooks.testEvent(ctx.caller, correlationId));
  }
}

import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MutationPayload } from '../../mutation/payload.types.js';
import type { Context } from '../../shared/context.js';
import { toTestEvent, WebhookTestEvent } from '../webhook.type.js';

@InputType({ description: 'Partner Center: POST webhooks/v1/registration/validationEvents.' })
export class SendWebhookTestEventInput {
  @Field(() => ID)
  registrationId!: string;

  @Field({
    defaultValue: false,
    description: 'Check that the registration exists and is yours, and send nothing (no slot of WEBHOOK-TEST-RATE is used).',
  })
  dryRun!: boolean;
}

@ObjectType()
export class SendWebhookTestEventPayload extends MutationPayload {
  @Field(() => WebhookTestEvent, {
    nullable: true,
    description: 'The test event; read its delivery later with webhookTestEvent(correlationId).',
  })
  testEvent!: WebhookTestEvent | null;
}

@Resolver()
export class SendWebhookTestEventResolver {
  @Mutation(() => SendWebhookTestEventPayload, {
    description:
      'WEBHOOK-ADMIN: send a `test-created` event to this registration only, delivered like any event. WEBHOOK-TEST-RATE: at most WEBHOOK_TEST_EVENTS_PER_MINUTE (2) per registration per minute, else RATE_LIMITED.',
  })
  async sendWebhookTestEvent(
    @Arg('input', () => SendWebhookTestEventInput) input: SendWebhookTestEventInput,
    @Ctx() ctx: Context,
  ): Promise<SendWebhookTestEventPayload> {
    if (input.dryRun) {
      const registration = await ctx.webhooks.get(ctx.caller, input.registrationId);
      return {
        testEvent: null,
        userErrors: [],
        dryRun: true,
        operationId: null,
        summary: `Would send a test event to registration ${registration._id}.`,
      };
    }
    const sent = await ctx.webhooks.sendTestEvent(ctx.caller, input.registrationId, await ctx.now());
    return {
      testEvent: toTestEvent(sent),
      userErrors: [],
      dryRun: false,
      operationId: null,
      summary: `Sent test event ${sent.correlationId} to registration ${sent.registrationId}.`,
    };
  }
}

import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MutationPayload } from '../../mutation/payload.types.js';
import type { Context } from '../../shared/context.js';
import { toRegistration, WebhookRegistration } from '../webhook.type.js';

@InputType({ description: 'A webhook registration (Partner Center: POST webhooks/v1/registration with WebhookUrl and WebhookEvents).' })
export class CreateWebhookRegistrationInput {
  @Field({ description: 'WEBHOOK-URL: an http(s) URL whose host WEBHOOK_ALLOWED_HOSTS allows (loopback in development), no credentials.' })
  webhookUrl!: string;

  @Field(() => [String], { description: 'WEBHOOK-EVENTS: event names of docs/events.md, at least one.' })
  webhookEvents!: string[];

  @Field(() => Boolean, { defaultValue: false, description: 'Check everything and store nothing (no secret is made).' })
  dryRun!: boolean;
}

@ObjectType()
export class CreateWebhookRegistrationPayload extends MutationPayload {
  @Field(() => WebhookRegistration, { nullable: true })
  registration!: WebhookRegistration | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The secret its deliveries are signed with (docs/webhooks.md, "Verifying a delivery"). Shown this once; null for a dry run.',
  })
  signingSecret!: string | null;
}

@Resolver()
export class CreateWebhookRegistrationResolver {
  @Mutation(() => CreateWebhookRegistrationPayload, {
    description:
      'WEBHOOK-ADMIN: register a URL for the events named. Refused BAD_USER_INPUT naming the field (WEBHOOK-URL, WEBHOOK-EVENTS) or FORBIDDEN (WEBHOOK-ADMIN, WEBHOOK-QUOTA); nothing is stored then.',
  })
  async createWebhookRegistration(
    @Arg('input', () => CreateWebhookRegistrationInput) input: CreateWebhookRegistrationInput,
    @Ctx() ctx: Context,
  ): Promise<CreateWebhookRegistrationPayload> {
    const doc = await ctx.webhooks.create(ctx.caller, input);
    return {
      registration: toRegistration(doc),
      signingSecret: input.dryRun ? null : doc.secret,
      userErrors: [],
      dryRun: input.dryRun,
      operationId: null,
      summary: `${input.dryRun ? 'Would register' : 'Registered'} ${doc.url} for ${doc.events.join(', ')}.`,
    };
  }
}

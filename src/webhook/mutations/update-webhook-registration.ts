import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MutationPayload } from '../../mutation/payload.types.js';
import type { Context } from '../../shared/context.js';
import { toRegistration, WebhookRegistration } from '../webhook.type.js';

@InputType({ description: 'Changes to a webhook registration (Partner Center: PUT webhooks/v1/registration); what is left out stays.' })
export class UpdateWebhookRegistrationInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => String, { nullable: true, description: 'WEBHOOK-URL, as for createWebhookRegistration.' })
  webhookUrl?: string | null;

  @Field(() => [String], { nullable: true, description: 'WEBHOOK-EVENTS: the new list, replacing the old one.' })
  webhookEvents?: string[] | null;

  @Field(() => Boolean, {
    defaultValue: false,
    description: 'Make a new signing secret (shown once, in this answer); the old one stops at once.',
  })
  rotateSecret!: boolean;

  @Field(() => Boolean, { defaultValue: false, description: 'Check everything and change nothing.' })
  dryRun!: boolean;
}

@ObjectType()
export class UpdateWebhookRegistrationPayload extends MutationPayload {
  @Field(() => WebhookRegistration, { nullable: true })
  registration!: WebhookRegistration | null;

  @Field(() => String, { nullable: true, description: 'The new signing secret when rotateSecret was asked for; null otherwise.' })
  signingSecret!: string | null;
}

@Resolver()
export class UpdateWebhookRegistrationResolver {
  @Mutation(() => UpdateWebhookRegistrationPayload, {
    description:
      "WEBHOOK-ADMIN: change a registration's URL, events or signing secret. Another partner's registration is NOT_FOUND; bad input is BAD_USER_INPUT naming the field, and changes nothing.",
  })
  async updateWebhookRegistration(
    @Arg('input', () => UpdateWebhookRegistrationInput) input: UpdateWebhookRegistrationInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateWebhookRegistrationPayload> {
    const { registration, rotated } = await ctx.webhooks.update(ctx.caller, input.registrationId, {
      webhookUrl: input.webhookUrl ?? undefined,
      webhookEvents: input.webhookEvents ?? undefined,
      rotateSecret: input.rotateSecret,
      dryRun: input.dryRun,
    });
    return {
      registration: toRegistration(registration),
      signingSecret: rotated ? registration.secret : null,
      userErrors: [],
      dryRun: input.dryRun,
      operationId: null,
      summary: `${input.dryRun ? 'Would update' : 'Updated'} registration ${registration._id}: ${registration.url} for ${registration.events.join(', ')}${rotated ? ', with a new signing secret' : ''}.`,
    };
  }
}

import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MutationPayload } from '../../mutation/payload.types.js';
import type { Context } from '../../shared/context.js';

@InputType({ description: 'Partner Center: DELETE webhooks/v1/registration.' })
export class DeleteWebhookRegistrationInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Check that the registration exists and is yours, and change nothing.' })
  dryRun!: boolean;
}

@ObjectType()
export class DeleteWebhookRegistrationPayload extends MutationPayload {
  @Field(() => ID, { nullable: true })
  deletedRegistrationId!: string | null;
}

@Resolver()
export class DeleteWebhookRegistrationResolver {
  @Mutation(() => DeleteWebhookRegistrationPayload, {
    description:
      "WEBHOOK-ADMIN: delete a registration with its delivery log; nothing more is delivered to it. Another partner's is NOT_FOUND.",
  })
  async deleteWebhookRegistration(
    @Arg('input', () => DeleteWebhookRegistrationInput) input: DeleteWebhookRegistrationInput,
    @Ctx() ctx: Context,
  ): Promise<DeleteWebhookRegistrationPayload> {
    const deleted = await ctx.webhooks.delete(ctx.caller, input.registrationId, input.dryRun);
    return {
      deletedRegistrationId: deleted._id,
      userErrors: [],
      dryRun: input.dryRun,
      operationId: null,
      summary: `${input.dryRun ? 'Would delete' : 'Deleted'} the registration of ${deleted.url}.`,
    };
  }
}

import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MutationPayload } from '../../mutation/payload.types.js';
import type { Context } from '../../shared/context.js';
import { auditSandboxOperation } from '../sandbox-audit.js';

@InputType()
export class DeleteSandboxInput {
  @Field(() => ID)
  sandboxId!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Check that the sandbox exists and is yours, and change nothing.' })
  dryRun!: boolean;
}

@ObjectType()
export class DeleteSandboxPayload extends MutationPayload {
  @Field(() => ID, { nullable: true })
  deletedSandboxId!: string | null;
}

@Resolver()
export class DeleteSandboxResolver {
  @Mutation(() => DeleteSandboxPayload, {
    description:
      "SANDBOX-ADMIN: delete one of your sandboxes with its partner, clock and every document its partner owns. Another administrator's sandbox is NOT_FOUND.",
  })
  async deleteSandbox(
    @Arg('input', () => DeleteSandboxInput) input: DeleteSandboxInput,
    @Ctx() ctx: Context,
  ): Promise<DeleteSandboxPayload> {
    const deleted = await ctx.sandboxes.delete(ctx.caller, input.sandboxId, input.dryRun);
    if (!input.dryRun) await auditSandboxOperation(ctx, { operationType: 'delete_sandbox', sandbox: deleted, input });
    return {
      deletedSandboxId: deleted._id,
      userErrors: [],
      dryRun: input.dryRun,
      operationId: null,
      summary: `${input.dryRun ? 'Would delete' : 'Deleted'} sandbox '${deleted.name}' and everything in it.`,
    };
  }
}

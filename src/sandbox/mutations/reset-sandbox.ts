import { Arg, Ctx, Field, ID, InputType, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../shared/context.js';
import { auditRestore, RestoreSandboxPayload, restoredPayload } from '../sandbox-payload.types.js';
import { INITIAL_SNAPSHOT } from '../sandbox.service.js';

@InputType()
export class ResetSandboxInput {
  @Field(() => ID)
  sandboxId!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Check everything and change nothing.' })
  dryRun!: boolean;
}

@Resolver()
export class ResetSandboxResolver {
  @Mutation(() => RestoreSandboxPayload, {
    description: "SANDBOX-ADMIN: bring the sandbox back to the state createSandbox made (its 'initial' snapshot), clock included.",
  })
  async resetSandbox(@Arg('input', () => ResetSandboxInput) input: ResetSandboxInput, @Ctx() ctx: Context): Promise<RestoreSandboxPayload> {
    const restored = await ctx.sandboxes.restore(ctx.caller, { ...input, snapshot: INITIAL_SNAPSHOT });
    if (!input.dryRun) await auditRestore(ctx, 'reset_sandbox', restored, input);
    return restoredPayload(restored, input.dryRun);
  }
}

import { Arg, Ctx, Field, ID, InputType, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../shared/context.js';
import { auditRestore, RestoreSandboxPayload, restoredPayload } from '../sandbox-payload.types.js';

@InputType()
export class RestoreSandboxInput {
  @Field(() => ID)
  sandboxId!: string;

  @Field({ description: "The snapshot's name (snapshotSandbox); 'initial' is the state createSandbox made." })
  snapshot!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Check everything and change nothing.' })
  dryRun!: boolean;
}

@Resolver()
export class RestoreSandboxResolver {
  @Mutation(() => RestoreSandboxPayload, {
    description:
      'SANDBOX-ADMIN: bring the sandbox back to a snapshot: every document its partner owns and its clock, as saved. Its tokens get SANDBOX_BUSY meanwhile; a crash part-way is finished from the snapshot. No such snapshot: NOT_FOUND.',
  })
  async restoreSandbox(
    @Arg('input', () => RestoreSandboxInput) input: RestoreSandboxInput,
    @Ctx() ctx: Context,
  ): Promise<RestoreSandboxPayload> {
    const restored = await ctx.sandboxes.restore(ctx.caller, input);
    if (!input.dryRun) await auditRestore(ctx, 'restore_sandbox', restored, input);
    return restoredPayload(restored, input.dryRun);
  }
}

import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MutationPayload } from '../mutation/payload.types.js';
import type { Context } from '../shared/context.js';
import { INITIAL_SNAPSHOT } from './sandbox.service.js';
import { Sandbox, SandboxSnapshot, toSandbox, toSnapshot } from './sandbox.type.js';

@InputType()
export class RestoreSandboxInput {
  @Field(() => ID)
  sandboxId!: string;

  @Field({ description: "The snapshot's name (snapshotSandbox); 'initial' is the state createSandbox made." })
  snapshot!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Check everything and change nothing.' })
  dryRun!: boolean;
}

@InputType()
export class ResetSandboxInput {
  @Field(() => ID)
  sandboxId!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Check everything and change nothing.' })
  dryRun!: boolean;
}

@ObjectType()
export class RestoreSandboxPayload extends MutationPayload {
  @Field(() => Sandbox, { nullable: true })
  sandbox!: Sandbox | null;

  @Field(() => SandboxSnapshot, { nullable: true, description: 'The snapshot the sandbox is now back at.' })
  snapshot!: SandboxSnapshot | null;
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
    return restored(await ctx.sandboxes.restore(ctx.caller, input), input.dryRun);
  }

  @Mutation(() => RestoreSandboxPayload, {
    description: "SANDBOX-ADMIN: bring the sandbox back to the state createSandbox made (its 'initial' snapshot), clock included.",
  })
  async resetSandbox(@Arg('input', () => ResetSandboxInput) input: ResetSandboxInput, @Ctx() ctx: Context): Promise<RestoreSandboxPayload> {
    return restored(await ctx.sandboxes.restore(ctx.caller, { ...input, snapshot: INITIAL_SNAPSHOT }), input.dryRun);
  }
}

function restored(result: Awaited<ReturnType<Context['sandboxes']['restore']>>, dryRun: boolean): RestoreSandboxPayload {
  const { sandbox, snapshot } = result;
  return {
    sandbox: toSandbox(sandbox),
    snapshot: toSnapshot(snapshot),
    userErrors: [],
    dryRun,
    operationId: null,
    summary: `${dryRun ? 'Would restore' : 'Restored'} sandbox '${sandbox.name}' to '${snapshot.name}': ${snapshot.documentCount} documents, its clock at ${snapshot.clockNow.toISOString()}.`,
  };
}

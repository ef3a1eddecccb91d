import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { MutationPayload } from '../../mutation/payload.types.js';
import type { Context } from '../../shared/context.js';
import { Sandbox, SandboxSnapshot, toSandbox, toSnapshot } from '../sandbox.type.js';
import { auditSandboxOperation } from '../sandbox-audit.js';

@InputType()
export class SnapshotSandboxInput {
  @Field(() => ID)
  sandboxId!: string;

  @Field({
    description:
      "1 to 64 letters, digits, spaces, dots, dashes or underscores; not 'initial'. A snapshot of that name already there is replaced.",
  })
  name!: string;

  @Field(() => Boolean, { defaultValue: false, description: 'Check everything and change nothing.' })
  dryRun!: boolean;
}

@ObjectType()
export class SnapshotSandboxPayload extends MutationPayload {
  @Field(() => SandboxSnapshot, { nullable: true })
  snapshot!: SandboxSnapshot | null;

  @Field(() => Sandbox, { nullable: true })
  sandbox!: Sandbox | null;
}

@Resolver()
export class SnapshotSandboxResolver {
  @Mutation(() => SnapshotSandboxPayload, {
    description:
      "SANDBOX-ADMIN: save the sandbox's whole state (every document its partner owns, and its clock) under a name, for restoreSandbox. At most 20 names per sandbox (SANDBOX-QUOTA).",
  })
  async snapshotSandbox(
    @Arg('input', () => SnapshotSandboxInput) input: SnapshotSandboxInput,
    @Ctx() ctx: Context,
  ): Promise<SnapshotSandboxPayload> {
    const { sandbox, snapshot } = await ctx.sandboxes.snapshot(ctx.caller, input);
    if (snapshot) {
      const detail = { snapshot: snapshot.name, clockNow: snapshot.clockNow, documentCount: snapshot.documentCount };
      await auditSandboxOperation(ctx, { operationType: 'snapshot_sandbox', sandbox, input, detail });
    }
    return {
      sandbox: toSandbox(sandbox),
      snapshot: snapshot && toSnapshot(snapshot),
      userErrors: [],
      dryRun: input.dryRun,
      operationId: null,
      summary: snapshot
        ? `Saved sandbox '${sandbox.name}' as '${snapshot.name}': ${snapshot.documentCount} documents, its clock at ${snapshot.clockNow.toISOString()}.`
        : `Would save sandbox '${sandbox.name}' as '${input.name.trim()}'.`,
    };
  }
}

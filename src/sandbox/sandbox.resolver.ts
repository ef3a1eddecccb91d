import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../shared/context.js';
import { Sandbox, SandboxSnapshot, toSandbox, toSnapshot } from './sandbox.type.js';

@Resolver(() => Sandbox)
export class SandboxResolver {
  @Query(() => [Sandbox], {
    description: "SANDBOX-ADMIN: the caller's partner's live sandboxes, oldest first (at most SANDBOX_MAX_PER_ADMIN).",
  })
  async sandboxes(@Ctx() ctx: Context): Promise<Sandbox[]> {
    return (await ctx.sandboxes.list(ctx.caller)).map(toSandbox);
  }

  @FieldResolver(() => [SandboxSnapshot], {
    description: "The sandbox's snapshots, one per name, oldest first; 'initial' is always there.",
  })
  async snapshots(@Root() sandbox: Sandbox, @Ctx() ctx: Context): Promise<SandboxSnapshot[]> {
    // Only administrators reach a Sandbox (sandboxes, createSandbox ...), each only its own.
    return (await ctx.sandboxes.listSnapshots(sandbox.id)).map(toSnapshot);
  }
}

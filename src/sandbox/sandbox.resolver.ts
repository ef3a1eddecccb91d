import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../shared/context.js';
import { Sandbox, toSandbox } from './sandbox.type.js';

@Resolver()
export class SandboxResolver {
  @Query(() => [Sandbox], {
    description: "SANDBOX-ADMIN: the caller's partner's live sandboxes, oldest first (at most SANDBOX_MAX_PER_ADMIN).",
  })
  async sandboxes(@Ctx() ctx: Context): Promise<Sandbox[]> {
    return (await ctx.sandboxes.list(ctx.caller)).map(toSandbox);
  }
}

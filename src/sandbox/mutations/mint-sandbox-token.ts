import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { PartnerRole } from '../../db/documents.js';
import { MutationPayload } from '../../mutation/payload.types.js';
import type { Context } from '../../shared/context.js';
import { PartnerRoleEnum } from '../../shared/enums.js';
import { SandboxToken } from '../sandbox.type.js';
import { auditSandboxOperation } from '../sandbox-audit.js';

@InputType()
export class MintSandboxTokenInput {
  @Field(() => ID)
  sandboxId!: string;

  @Field(() => [PartnerRoleEnum], { description: 'The roles the token carries, at least one.' })
  roles!: PartnerRole[];

  @Field(() => String, {
    nullable: true,
    description: "How long it is valid, an ISO-8601 duration such as 'PT10M'; never past the sandbox's end, which is the default.",
  })
  ttl?: string | null;

  @Field(() => Boolean, { defaultValue: false, description: 'Check everything and change nothing.' })
  dryRun!: boolean;
}

@ObjectType()
export class MintSandboxTokenPayload extends MutationPayload {
  @Field(() => SandboxToken, { nullable: true })
  token!: SandboxToken | null;
}

@Resolver()
export class MintSandboxTokenResolver {
  @Mutation(() => MintSandboxTokenPayload, {
    description:
      "SANDBOX-ADMIN: another bearer token for one of your sandboxes' partner: other roles (a test of ROLE-* refusals), or a shorter life.",
  })
  async mintSandboxToken(
    @Arg('input', () => MintSandboxTokenInput) input: MintSandboxTokenInput,
    @Ctx() ctx: Context,
  ): Promise<MintSandboxTokenPayload> {
    const { sandbox, token } = await ctx.sandboxes.mintToken(ctx.caller, {
      sandboxId: input.sandboxId,
      roles: input.roles,
      ttl: input.ttl ?? null,
    });
    if (!input.dryRun) {
      const detail = { roles: token.roles, expiresAt: token.expiresAt };
      await auditSandboxOperation(ctx, { operationType: 'mint_sandbox_token', sandbox, input, detail });
    }
    return {
      // A dry run checks the sandbox and the input; it hands out no token.
      token: input.dryRun ? null : token,
      userErrors: [],
      dryRun: input.dryRun,
      operationId: null,
      summary: `${input.dryRun ? 'Would mint' : 'Minted'} a token for ${token.roles.join(', ')}, valid until ${token.expiresAt.toISOString()}.`,
    };
  }
}

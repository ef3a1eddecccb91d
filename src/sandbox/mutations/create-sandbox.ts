import { Arg, Ctx, Field, InputType, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { PartnerRole, PartnerType } from '../../db/documents.js';
import { MutationPayload } from '../../mutation/payload.types.js';
import type { Context } from '../../shared/context.js';
import { PartnerRoleEnum, PartnerTypeEnum } from '../../shared/enums.js';
import { Sandbox, SandboxTemplateEnum, SandboxToken, toSandbox } from '../sandbox.type.js';
import { auditSandboxOperation } from '../sandbox-audit.js';

@InputType({ description: 'A new test sandbox (docs/sandboxes.md).' })
export class CreateSandboxInput {
  @Field({ description: 'The sandbox partner’s name, 1 to 100 characters.' })
  name!: string;

  @Field(() => PartnerTypeEnum, { defaultValue: PartnerTypeEnum.DIRECT_BILL })
  partnerType!: PartnerType;

  @Field(() => Date, { nullable: true, description: 'Where the sandbox’s clock starts, 2000 to 2099; SIMULATION_CLOCK_START when absent.' })
  clockStart?: Date | null;

  @Field(() => SandboxTemplateEnum, { defaultValue: SandboxTemplateEnum.EMPTY })
  template!: SandboxTemplateEnum;

  @Field(() => Int, {
    nullable: true,
    description: 'GENERATED only, and required there: customers to generate, 1 to SANDBOX_MAX_CUSTOMERS.',
  })
  customers?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'GENERATED only, and required there: 1 to 64 characters; the same seed gives the same world (IDs excepted).',
  })
  seed?: string | null;

  @Field(() => [PartnerRoleEnum], {
    defaultValue: [PartnerRoleEnum.GLOBAL_ADMIN, PartnerRoleEnum.ADMIN_AGENT],
    description: 'The roles of the token minted for the sandbox, at least one.',
  })
  roles!: PartnerRole[];

  @Field(() => String, {
    nullable: true,
    description: "Time to live, an ISO-8601 duration such as 'PT2H' (at most SANDBOX_TTL_MAX); SANDBOX_TTL_DEFAULT when absent.",
  })
  ttl?: string | null;
}

@ObjectType({ description: 'The new sandbox and a token to call as its partner.' })
export class CreateSandboxPayload extends MutationPayload {
  @Field(() => Sandbox, { nullable: true })
  sandbox!: Sandbox | null;

  @Field(() => [SandboxToken])
  tokens!: SandboxToken[];
}

@Resolver()
export class CreateSandboxResolver {
  @Mutation(() => CreateSandboxPayload, {
    description:
      'SANDBOX-ADMIN: create an isolated partner tenant with a clock of its own, and a token for it. Refused FORBIDDEN (SANDBOX-ADMIN, SANDBOX-QUOTA) or BAD_USER_INPUT naming the field; nothing is half-created.',
  })
  async createSandbox(
    @Arg('input', () => CreateSandboxInput) input: CreateSandboxInput,
    @Ctx() ctx: Context,
  ): Promise<CreateSandboxPayload> {
    const { sandbox, tokens } = await ctx.sandboxes.create(ctx.caller, {
      name: input.name,
      partnerType: input.partnerType,
      clockStart: input.clockStart ?? null,
      roles: input.roles,
      ttl: input.ttl ?? null,
      template: input.template,
      customers: input.customers ?? null,
      seed: input.seed ?? null,
    });
    await auditSandboxOperation(ctx, {
      operationType: 'create_sandbox',
      sandbox,
      input,
      detail: { template: sandbox.template, clockStart: sandbox.clockStart, expiresAt: sandbox.expiresAt },
    });
    return {
      sandbox: toSandbox(sandbox),
      tokens,
      userErrors: [],
      dryRun: false,
      operationId: null,
      summary: `Created sandbox '${sandbox.name}' (partner ${sandbox.partnerId}) with ${sandbox.customerCount ?? 0} customer${sandbox.customerCount === 1 ? '' : 's'}, its clock at ${sandbox.clockStart.toISOString()}, expiring ${sandbox.expiresAt.toISOString()}.`,
    };
  }
}

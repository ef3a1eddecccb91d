import { Field, ObjectType } from 'type-graphql';
import { MutationPayload } from '../mutation/payload.types.js';
import type { Context } from '../shared/context.js';
import { auditSandboxOperation } from './sandbox-audit.js';
import { Sandbox, SandboxSnapshot, toSandbox, toSnapshot } from './sandbox.type.js';

/** restoreSandbox's and resetSandbox's answer. */
@ObjectType()
export class RestoreSandboxPayload extends MutationPayload {
  @Field(() => Sandbox, { nullable: true })
  sandbox!: Sandbox | null;

  @Field(() => SandboxSnapshot, { nullable: true, description: 'The snapshot the sandbox is now back at.' })
  snapshot!: SandboxSnapshot | null;
}

export function restoredPayload(result: Awaited<ReturnType<Context['sandboxes']['restore']>>, dryRun: boolean): RestoreSandboxPayload {
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

/** The audit record of a restore or reset that was done. */
export function auditRestore(
  ctx: Context,
  operationType: 'restore_sandbox' | 'reset_sandbox',
  result: Awaited<ReturnType<Context['sandboxes']['restore']>>,
  input: unknown,
): Promise<void> {
  const { sandbox, snapshot } = result;
  const detail = { snapshot: snapshot.name, clockNow: snapshot.clockNow, documentCount: snapshot.documentCount };
  return auditSandboxOperation(ctx, { operationType, sandbox, input, detail });
}

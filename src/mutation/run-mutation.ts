/**
 * The shape every mutation resolver shares: authorise, run the plan through the one write path,
 * turn the result into a payload (mutationPayload, the one refusal-to-payload mapping). Role
 * refusals (ROLE-*) become a top-level FORBIDDEN error; any other refusal is a `userErrors` entry;
 * an applied operation clears this request's loaders so the payload shows the documents as written.
 */
import type { Effect } from '../policy/effects.js';
import type { Allowed, Refused } from '../policy/decision.js';
import { isProjectRule, type AnyRuleId } from '../policy/rule-ids.js';
import type { Context } from '../shared/context.js';
import { withoutSecrets } from '../audit/refusal-audit.js';
import { ClientError, forbidden } from '../shared/errors.js';
import { runOperation, type OperationPlan, type OperationRequest } from '../write/run-operation.js';
import type { MutationPayload } from './payload.types.js';
import { userError, type UserError } from './user-error.type.js';

export type MutationResult<R> =
  | { ok: true; outcome: Allowed<R & { effects: Effect[] }>; operationId: string | null; dryRun: boolean }
  | { ok: false; userErrors: UserError[] };

/** Every mutation input has `dryRun`: true asks for a quote, nothing written. */
export interface MutationInput {
  dryRun: boolean;
}

/**
 * What this request stamps on the operations a mutation journals: its correlation ID, its
 * idempotency record, and the mutation's `input` argument (secrets removed).
 */
export function operationRequest(ctx: Context, input: object): OperationRequest {
  return {
    correlationId: ctx.correlationId,
    idempotencyKey: ctx.idempotencyKey ?? null,
    input: JSON.stringify(withoutSecrets({ input })),
  };
}

/**
 * A refused mutation, the one mapping of every refusal: a role refusal (ROLE-*) or one of the
 * project's sandbox rules (SANDBOX-*, PROJECT_RULE_IDS) is thrown as FORBIDDEN; any other is noted on the request for the audit plugin (src/audit/refusal-audit.ts,
 * which records it when the response is sent) and answered as the payload's `userErrors`.
 */
export function refusalErrors(
  ctx: Context,
  operation: { operationType: string; customerId: string | null },
  refusal: Refused<AnyRuleId>,
  input: object,
): UserError[] {
  if (refusal.code === 'ROLE_NOT_ALLOWED' || isProjectRule(refusal.rule)) throw forbidden(refusal);
  ctx.refusals.push({ ...operation, rule: refusal.rule, code: refusal.code, args: { input } });
  return [userError(refusal)];
}

/** `input`: the mutation's `input` argument, the one every mutation field takes. */
export async function runMutation<L, R extends object>(
  ctx: Context,
  plan: OperationPlan<L, R>,
  input: MutationInput,
): Promise<MutationResult<R>> {
  const result = await runOperation(ctx.write, plan, { dryRun: input.dryRun, request: operationRequest(ctx, input) });
  switch (result.status) {
    case 'refused':
      return {
        ok: false,
        userErrors: refusalErrors(ctx, { operationType: plan.kind, customerId: plan.customerId }, result.refusal, input),
      };
    case 'quoted':
      return { ok: true, outcome: result.outcome, operationId: null, dryRun: true };
    case 'applied':
      clearLoaders(ctx);
      return { ok: true, outcome: result.outcome, operationId: result.operationId, dryRun: false };
    case 'duplicate':
      throw new ClientError('CONFLICT', 'The same operation was already applied; read the resource again.');
  }
}

function clearLoaders(ctx: Context): void {
  for (const loader of Object.values(ctx.loaders)) {
    if (loader && typeof (loader as { clearAll?: unknown }).clearAll === 'function') (loader as { clearAll(): void }).clearAll();
  }
}

/** The fields every payload has (MutationPayload), set by mutationPayload; the rest are the mutation's own. */
type CommonFields = 'userErrors' | 'dryRun' | 'operationId' | 'summary';
export type PayloadFields<P extends MutationPayload> = Omit<P, CommonFields>;

/**
 * The one refusal-to-payload mapping of every mutation. Refused: the `refused` fields (the target
 * as it is now, everything else null), the refusal as `userErrors`, `dryRun` as asked, no
 * operation. Allowed: the `accepted` fields (`applied` false for a quote), its summary, `dryRun`
 * as run, the operation that applied it (null for a quote), no userErrors.
 */
export async function mutationPayload<R, P extends MutationPayload>(
  input: MutationInput,
  result: MutationResult<R>,
  shape: {
    refused: () => PayloadFields<P> | Promise<PayloadFields<P>>;
    accepted: (
      outcome: Allowed<R & { effects: Effect[] }>,
      applied: boolean,
    ) => (PayloadFields<P> & { summary: string | null }) | Promise<PayloadFields<P> & { summary: string | null }>;
  },
): Promise<P> {
  if (!result.ok) return refusedPayload<P>(input, result.userErrors, await shape.refused());
  const fields = await shape.accepted(result.outcome, !result.dryRun);
  return { ...fields, dryRun: result.dryRun, operationId: result.operationId, userErrors: [] } as unknown as P;
}

/** A refusal's payload, also for refusals made before the write path (an input the policy rejects outright). */
export function refusedPayload<P extends MutationPayload>(input: MutationInput, userErrors: UserError[], fields: PayloadFields<P>): P {
  return { ...fields, dryRun: input.dryRun, operationId: null, summary: null, userErrors } as unknown as P;
}

/**
 * Audit records of sandbox administration (docs/sandboxes.md): createSandbox, snapshotSandbox,
 * restoreSandbox, resetSandbox, mintSandboxToken and deleteSandbox done by an administrator are
 * listed in the administrator partner's own auditRecords, as every other accepted mutation is. A
 * refusal is recorded by the refusal audit (src/audit/refusal-audit.ts) like any other.
 *
 * They are written after the operation, not through the journal (these operations are not
 * journaled: docs/sandboxes.md, "Crash safety"), so a crash in between loses the record, never
 * the operation's own crash safety. Never the tokens: a minted token is not recorded.
 */
import { randomUUID } from 'node:crypto';
import { withoutSecrets } from '../audit/refusal-audit.js';
import type { SandboxDoc } from '../db/documents.js';
import type { Context } from '../shared/context.js';

export interface SandboxAuditEntry {
  /** Partner Center's operationType style: `create_sandbox`, `restore_sandbox` ... */
  operationType: string;
  sandbox: SandboxDoc;
  /** The mutation's input, as the caller sent it (secrets removed). */
  input: unknown;
  /** What changed, for `resourceNewValue`: the snapshot restored, the roles minted ... */
  detail?: Record<string, unknown>;
}

export async function auditSandboxOperation(ctx: Context, entry: SandboxAuditEntry): Promise<void> {
  const { sandbox } = entry;
  const wallAt = new Date();
  try {
    await ctx.collections.auditEvents.insertOne({
      // Records of one simulation instant list by `_id`: the wall time keeps them in order.
      _id: `sandbox:${wallAt.toISOString()}:${randomUUID()}`,
      partnerId: ctx.caller.partner._id,
      customerId: null,
      operationType: entry.operationType,
      resourceType: 'sandbox',
      resourceId: sandbox._id,
      userId: ctx.caller.userId,
      roles: ctx.caller.roles,
      at: await ctx.now(),
      resourceOldValue: null,
      resourceNewValue: JSON.stringify({ id: sandbox._id, name: sandbox.name, partnerId: sandbox.partnerId, ...entry.detail }),
      outcome: 'accepted',
      rule: null,
      code: null,
      correlationId: ctx.correlationId,
      wallAt,
      input: JSON.stringify(withoutSecrets(entry.input)),
    });
  } catch (error) {
    // The operation is done and answered: a lost record is logged, not turned into a failure.
    ctx.log.warn('sandbox', `the audit record of ${entry.operationType} on sandbox ${sandbox._id} was not written`, error);
  }
}

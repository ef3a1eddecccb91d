/**
 * Audit of refused mutations. Accepted operations write their audit event through the write path
 * (an `audit` effect); a refusal writes nothing there, so this plugin records it: a business-rule
 * refusal runMutation noted on the request context (`ctx.refusals`), or a FORBIDDEN error of a
 * mutation field, matched to its call by the error's path.
 */
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditEventDoc } from '../db/documents.js';
import type { Context, RefusalNote } from '../shared/context.js';
import type { Logger } from '../shared/logger.js';
import { mutationCalls, type MutationCall } from './mutation-calls.js';

const SECRET = /token|secret|password|authorization/i;

/** The arguments without anything that looks like a secret. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !SECRET.test(k))
        .map(([k, v]) => [k, withoutSecrets(v)]),
    );
  }
  return value;
}

/** `cancelSubscription` → `cancel_subscription` (Partner Center's operationType style). */
export const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The target IDs of an input: every `…Id` field with a string value, in input order. */
export function targetIds(args: Record<string, unknown>): [string, string][] {
  const input = (args.input ?? args) as Record<string, unknown>;
  return Object.entries(input).filter((e): e is [string, string] => e[0].endsWith('Id') && typeof e[1] === 'string');
}

export function refusalAuditPlugin(log: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      let calls: MutationCall[] = [];
      let isMutation = false;
      return {
        async didResolveOperation({ schema, operation, request }) {
          if (operation?.operation !== 'mutation') return;
          isMutation = true;
          calls = mutationCalls(schema, operation, request.variables) ?? [];
        },
        async willSendResponse({ errors }) {
          if (!isMutation || !contextValue?.caller) return;
          const refusals: RefusalNote[] = [...contextValue.refusals];
          for (const e of errors ?? []) {
            if (e.extensions?.code !== 'FORBIDDEN') continue;
            const call = calls.find((c) => c.responseKey === e.path?.[0]);
            const rule = e.extensions.rule;
            refusals.push({
              args: call?.args ?? {},
              operationType: snakeCase(call?.name ?? 'unknown'),
              customerId: null,
              rule: typeof rule === 'string' ? rule : '',
              code: 'FORBIDDEN',
            });
          }
          if (!refusals.length) return;
          try {
            const at = await contextValue.now().catch(() => new Date());
            const docs = refusals.map((r) => refusalEvent(contextValue, r, at));
            await contextValue.write.collections.auditEvents.insertMany(docs);
          } catch (error) {
            log.error('audit', 'could not record a refused mutation', error);
          }
        },
      };
    },
  };
}

function refusalEvent(ctx: Context, r: RefusalNote, at: Date): AuditEventDoc {
  const args = r.args;
  const ids = targetIds(args);
  const [resourceKey, resourceId] = ids[0] ?? ['', ''];
  const customerId = r.customerId ?? ids.find(([k]) => k === 'customerId')?.[1] ?? null;
  return {
    _id: randomUUID(),
    partnerId: ctx.caller.partner._id,
    customerId,
    operationType: r.operationType,
    resourceType: resourceKey.replace(/Id$/, ''),
    resourceId,
    userId: ctx.caller.userId,
    roles: ctx.caller.roles,
    at,
    resourceOldValue: null,
    resourceNewValue: null,
    outcome: 'refused',
    rule: r.rule,
    code: r.code,
    correlationId: ctx.correlationId,
    wallAt: new Date(),
    input: JSON.stringify(withoutSecrets(args)),
  };
}

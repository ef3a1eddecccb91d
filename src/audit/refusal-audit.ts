/**
 * Audit of refused mutations. Accepted operations write their audit event through the write path
 * (an `audit` effect); a refusal writes nothing there, so this plugin records it: a business-rule
 * refusal noted by runMutation (noteRefusal) or a FORBIDDEN error of a mutation field. Mutations
 * run one after another, so the root field being resolved is the one a refusal belongs to.
 */
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditEventDoc } from '../db/documents.js';
import type { Refused } from '../policy/decision.js';
import type { Context } from '../shared/context.js';
import { currentCorrelationId, incomingCorrelationId } from '../shared/correlation.js';
import type { Logger } from '../shared/logger.js';
import { mutationCalls, type MutationCall } from './mutation-calls.js';

interface Noted {
  call: MutationCall | undefined;
  operationType: string;
  customerId: string | null;
  rule: string;
  code: string;
}

interface RequestState {
  current: MutationCall | undefined;
  calls: MutationCall[];
  noted: Noted[];
}

const states = new WeakMap<object, RequestState>();

/** Called by runMutation when the decision refuses (not ROLE_NOT_ALLOWED: that becomes FORBIDDEN, seen in the response). */
export function noteRefusal(ctx: object, operationType: string, customerId: string | null, refusal: Refused): void {
  const state = states.get(ctx);
  state?.noted.push({ call: state.current, operationType, customerId, rule: refusal.rule, code: refusal.code });
}

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
    async requestDidStart({ contextValue, request }) {
      const state: RequestState = { current: undefined, calls: [], noted: [] };
      let isMutation = false;
      return {
        async didResolveOperation({ schema, operation, request }) {
          if (operation?.operation !== 'mutation') return;
          isMutation = true;
          state.calls = mutationCalls(schema, operation, request.variables) ?? [];
          states.set(contextValue, state);
        },
        async executionDidStart() {
          if (!isMutation) return;
          return {
            willResolveField({ info }) {
              if (info.path.prev === undefined) state.current = state.calls.find((c) => c.responseKey === info.path.key);
            },
          };
        },
        async willSendResponse({ errors }) {
          if (!isMutation || !contextValue?.caller) return;
          const refusals: Noted[] = [...state.noted];
          for (const e of errors ?? []) {
            if (e.extensions?.code !== 'FORBIDDEN') continue;
            const call = state.calls.find((c) => c.responseKey === e.path?.[0]);
            const rule = e.extensions.rule;
            refusals.push({
              call,
              operationType: snakeCase(call?.name ?? 'unknown'),
              customerId: null,
              rule: typeof rule === 'string' ? rule : '',
              code: 'FORBIDDEN',
            });
          }
          if (!refusals.length) return;
          try {
            const at = await contextValue.now().catch(() => new Date());
            const incoming = incomingCorrelationId((name) => request.http?.headers.get(name));
            const correlationId = currentCorrelationId() ?? incoming ?? randomUUID();
            const docs = refusals.map((r) => refusalEvent(contextValue, r, at, correlationId));
            await contextValue.write.collections.auditEvents.insertMany(docs);
          } catch (error) {
            log.error('audit', 'could not record a refused mutation', error);
          }
        },
      };
    },
  };
}

function refusalEvent(ctx: Context, r: Noted, at: Date, correlationId: string): AuditEventDoc {
  const args = r.call?.args ?? {};
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
    correlationId,
    wallAt: new Date(),
    input: JSON.stringify(withoutSecrets(args)),
  };
}

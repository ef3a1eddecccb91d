/**
 * What every decideX function returns: allowed, with its outcome as data, or refused, with the
 * rule that refused, a machine-readable code and a sentence a partner understands. Decisions
 * report and never throw (as graphql-js validation rules do), so a quote (`dryRun`,
 * `allowedActions`) and the mutation are the same call and can never disagree.
 */
import type { AnyRuleId, RuleId } from './rule-ids.js';

/**
 * Why a decision was refused, as a code a client can branch on without parsing the message.
 * The rule ID says which rule; the code says what kind of obstacle it is.
 */
export const REFUSAL_CODES = [
  /** The caller's roles do not include one the rule allows (ROLE-*); surfaced as a top-level FORBIDDEN. */
  'ROLE_NOT_ALLOWED',
  /** The subscription is not in a status that allows the action (not active, suspended, deleted ...). */
  'INVALID_STATUS',
  /** A time window has closed (CANCEL-NCE-AFTER, ...). */
  'WINDOW_CLOSED',
  /** The action does not apply to this kind of subscription (legacy vs new commerce, usage-based ...). */
  'NOT_SUPPORTED',
  /** The offer, add-on or target is not eligible here (UPG-ELIGIBLE, ADDON-ELIGIBLE, CAT-UNAVAILABLE ...). */
  'NOT_ELIGIBLE',
  /** A limit of the catalog or the rules (one per customer, quantity bounds). */
  'LIMIT_EXCEEDED',
  /** A value the rules do not accept for this action (a seat reduction mid-term, a past instant ...). */
  'INVALID_VALUE',
  /** The subscription awaits something first (publisher fulfilment, a service request). */
  'ACTION_REQUIRED',
  /** Nothing to do: the state asked for is already the state. */
  'NO_CHANGE',
] as const;

export type RefusalCode = (typeof REFUSAL_CODES)[number];

/**
 * `Rule`: a rule of the spec (RuleId), unless a decision of the project's own (the sandbox rules,
 * ProjectRuleId) widens it; the write path and the payload mapping take either.
 */
export interface Refused<Rule extends AnyRuleId = RuleId> {
  allowed: false;
  rule: Rule;
  code: RefusalCode;
  /** A sentence a partner understands: what is not possible, why, and what to do instead. */
  message: string;
  /** The input field the refusal is about, when there is one (`quantity`, `targetOfferId` ...). */
  field?: string;
}

export type Allowed<T> = { allowed: true } & T;

export type Decision<T, Rule extends AnyRuleId = RuleId> = Allowed<T> | Refused<Rule>;

export function refuse<Rule extends AnyRuleId>(rule: Rule, code: RefusalCode, message: string, field?: string): Refused<Rule> {
  return field === undefined ? { allowed: false, rule, code, message } : { allowed: false, rule, code, message, field };
}

export function allow<T extends object>(outcome: T): Allowed<T> {
  return { allowed: true, ...outcome };
}

/** The first refusal of a list of checks, or null when all pass; checks run in the order given. */
export function firstRefusal(...checks: (Refused | null | undefined | false)[]): Refused | null {
  for (const c of checks) if (c) return c;
  return null;
}

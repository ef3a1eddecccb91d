import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { REFUSAL_CODES, type Refused } from '../policy/decision.js';
import type { AnyRuleId } from '../policy/rule-ids.js';

/** The policy's refusal codes as a GraphQL enum, derived from the one list in src/policy/decision.ts. */
export const RefusalCodeEnum = Object.fromEntries(REFUSAL_CODES.map((c) => [c, c])) as { [K in Refused['code']]: K };
registerEnumType(RefusalCodeEnum, {
  name: 'RefusalCode',
  description: 'What kind of obstacle refused an action; `rule` says which rule.',
});

/**
 * A policy refusal, returned as data in a mutation payload so a client branches on `code` and
 * `rule` without parsing messages. Authentication, authorisation and input errors stay top-level.
 */
@ObjectType({ description: 'Why the policy refused the action: the rule ID, a machine-readable code, a sentence, and the input field.' })
export class UserError {
  @Field(() => RefusalCodeEnum)
  code!: Refused['code'];

  @Field({ description: 'The rule of the rule catalogue (docs/rules.md) that refused, e.g. CANCEL-NCE-AFTER.' })
  rule!: string;

  @Field()
  message!: string;

  @Field(() => [String], { nullable: true, description: 'Path of the input field concerned, e.g. ["input", "quantity"].' })
  field!: string[] | null;
}

export function userError(refusal: Refused<AnyRuleId>): UserError {
  return {
    code: refusal.code,
    rule: refusal.rule,
    message: refusal.message,
    field: refusal.field ? ['input', ...refusal.field.split('.')] : null,
  };
}

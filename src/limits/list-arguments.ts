import type { ValidationRule } from 'graphql';
import { tooComplex } from './limit-error.js';

/**
 * Maximum length of any list in an argument or input (LIMIT_MAX_LIST, default 100), whether
 * written in the document or sent as a variable. Why: a filter list of 10,000 IDs becomes a
 * 10,000-element `$in` for the database and a 10,000-step validation for every resolver;
 * the largest honest list (a page of IDs) is 100.
 */
export function maxListLiteralRule(maximum: number): ValidationRule {
  return (context) => ({
    ListValue(list) {
      if (list.values.length > maximum) {
        context.reportError(tooComplex('listLength', 'The length of a list argument', maximum, list.values.length));
      }
    },
  });
}

/**
 * The longest array anywhere in the request's variables (walked without recursion, so a deeply
 * nested JSON value cannot overflow the stack); checked once the operation is known.
 */
export function longestVariableList(variables: Record<string, unknown> | undefined): number {
  let longest = 0;
  const pending: unknown[] = [variables];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      longest = Math.max(longest, value.length);
      for (const item of value) if (item && typeof item === 'object') pending.push(item);
    } else if (value && typeof value === 'object') {
      for (const item of Object.values(value)) if (item && typeof item === 'object') pending.push(item);
    }
  }
  return longest;
}

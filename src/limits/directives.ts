import type { ValidationRule } from 'graphql';
import { tooComplex } from './limit-error.js';

/**
 * Maximum directives in a document (LIMIT_MAX_DIRECTIVES, default 20). Why: graphql-js
 * validates and evaluates every directive (`@skip`, `@include`, repeated or not); thousands of
 * them make validation itself the expensive part. Honest operations use a few.
 */
export function maxDirectivesRule(maximum: number): ValidationRule {
  return (context) => {
    let count = 0;
    return {
      Directive() {
        count += 1;
      },
      Document: {
        leave() {
          if (count > maximum) context.reportError(tooComplex('directives', 'The number of directives', maximum, count));
        },
      },
    };
  };
}

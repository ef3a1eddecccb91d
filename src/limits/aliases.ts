import type { ValidationRule } from 'graphql';
import { tooComplex } from './limit-error.js';

/**
 * Maximum aliases in a document (LIMIT_MAX_ALIASES, default 30). Why: aliases let one
 * request ask for the same expensive field thousands of times (10,000 aliases once ran 99 s
 * and ~20,000 database commands); honest clients need a handful.
 */
export function maxAliasesRule(maximum: number): ValidationRule {
  return (context) => {
    let count = 0;
    return {
      Field(field) {
        if (field.alias) count += 1;
      },
      Document: {
        leave() {
          if (count > maximum) context.reportError(tooComplex('aliases', 'The number of aliases', maximum, count));
        },
      },
    };
  };
}

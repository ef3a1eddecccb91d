import type { SelectionSetNode, ValidationRule } from 'graphql';
import { tooComplex } from './limit-error.js';
import { fragmentMemo } from './selections.js';

/**
 * Maximum top-level fields in one operation (LIMIT_MAX_ROOT_FIELDS, default 30), counted
 * through fragments. Why: each root field is an independent entry point (often its own
 * database query); without aliases a document can still repeat them through fragments.
 */
export function maxRootFieldsRule(maximum: number): ValidationRule {
  return (context) => {
    const countOf = fragmentMemo<number>(
      (name) => context.getFragment(name),
      function measure(set: SelectionSetNode, spread): number {
        let count = 0;
        for (const selection of set.selections) {
          if (selection.kind === 'Field') count += 1;
          else if (selection.kind === 'InlineFragment') count += measure(selection.selectionSet, spread);
          else count += spread(selection.name.value) ?? 0;
        }
        return count;
      },
    );
    return {
      OperationDefinition(operation) {
        const count = countOf(operation.selectionSet);
        if (count > maximum) context.reportError(tooComplex('rootFields', 'The number of top-level fields', maximum, count));
      },
    };
  };
}

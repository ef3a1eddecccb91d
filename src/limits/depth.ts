import type { SelectionSetNode, ValidationRule } from 'graphql';
import { tooComplex } from './limit-error.js';
import { fragmentMemo } from './selections.js';

/**
 * Maximum query depth (LIMIT_MAX_DEPTH, default 10). Why: every level of a nested
 * connection (customer -> orders -> customer -> orders ...) multiplies the work; the schema's
 * cycles make the depth otherwise unbounded. `{ viewer { id } }` has depth 2. Introspection
 * fields (`__schema`, `__type`) are not counted: their depth is bounded by the schema, and
 * introspection is off in production.
 */
export function maxDepthRule(maximum: number): ValidationRule {
  return (context) => {
    const depthOf = fragmentMemo<number>(
      (name) => context.getFragment(name),
      function measure(set: SelectionSetNode, spread): number {
        let deepest = 0;
        for (const selection of set.selections) {
          if (selection.kind === 'Field') {
            if (selection.name.value.startsWith('__')) continue;
            deepest = Math.max(deepest, 1 + (selection.selectionSet ? measure(selection.selectionSet, spread) : 0));
          } else if (selection.kind === 'InlineFragment') {
            deepest = Math.max(deepest, measure(selection.selectionSet, spread));
          } else {
            deepest = Math.max(deepest, spread(selection.name.value) ?? 0);
          }
        }
        return deepest;
      },
    );
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet);
        if (depth > maximum) context.reportError(tooComplex('depth', 'Query depth', maximum, depth));
      },
    };
  };
}

import type { ApolloServerPlugin } from '@apollo/server';
import { operationCost } from './cost.js';
import { tooComplex } from './limit-error.js';
import { longestVariableList } from './list-arguments.js';

/**
 * The limits that need the variables' values, which validation rules do not see: cost (where
 * `first` is a variable) and list lengths inside variables. Apollo's `didResolveOperation`
 * runs after parsing and validation and before execution, with document, operation and raw
 * variables known; an error thrown here answers with its code and reaches no resolver and no
 * database.
 */
export function operationLimitsPlugin<C extends object>(options: { maxCost: number; maxListLength: number }): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          const longest = longestVariableList(request.variables);
          if (longest > options.maxListLength) {
            throw tooComplex('listLength', 'The length of a list argument', options.maxListLength, longest);
          }
          if (!operation) return; // Apollo answers that itself (no or unknown operationName)
          const cost = operationCost(schema, document, operation, request.variables ?? {});
          if (cost > options.maxCost) throw tooComplex('cost', 'Query cost', options.maxCost, cost);
        },
      };
    },
  };
}

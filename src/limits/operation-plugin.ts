import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { operationCost } from './cost.js';
import { tooComplex } from './limit-error.js';
import { longestVariableList } from './list-arguments.js';
import { checkTextInputs } from './text-inputs.js';

export interface OperationLimits {
  maxCost: number;
  maxListLength: number;
}

/**
 * The limits that need the variables' values, which validation rules do not see: cost (where
 * `first` is a variable) and list lengths inside variables (QUERY_TOO_COMPLEX), and every string
 * input's length and characters (BAD_USER_INPUT, src/limits/text-inputs.ts). Run after parsing
 * and validation and before execution, by Apollo (src/limits/admission.ts) and by the live
 * transports (src/app/subscriptions.ts). Returns the operation's cost (null without an operation).
 */
export function checkOperationLimits(
  options: OperationLimits,
  request: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operation: OperationDefinitionNode | null;
    variables?: Record<string, unknown> | null;
  },
): number | null {
  const longest = longestVariableList(request.variables ?? undefined);
  if (longest > options.maxListLength) {
    throw tooComplex('listLength', 'The length of a list argument', options.maxListLength, longest);
  }
  if (!request.operation) return null; // the transport answers that itself (no or unknown operationName)
  checkTextInputs(request.document, request.operation, request.variables ?? {});
  const cost = operationCost(request.schema, request.document, request.operation, request.variables ?? {});
  if (cost > options.maxCost) throw tooComplex('cost', 'Query cost', options.maxCost, cost);
  return cost;
}

import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../shared/pagination.js';

/**
 * Query cost (LIMIT_MAX_COST, default 5,000): an estimate of the objects a query can make the
 * gateway load, computed before anything runs. Why: depth alone does not bound work, because
 * list sizes multiply through the depth: `customer -> orders(first: 100) -> customer ->
 * orders(first: 100) ...` is only 7 levels, yet once ran 131 s and exhausted the heap.
 *
 * - every field costs 1;
 * - a field with a `first` argument (a connection) multiplies the list fields directly under
 *   it (`edges`, `nodes`) by `first` (a literal, or the variable's value; 20, the default page
 *   size, when absent; clamped to 0..100 because anything else is refused before a query runs);
 * - any other list field of objects (`addOns`, `lineItems`, ...) multiplies its subtree by an
 *   assumed 10;
 * - fragments count where they are spread (each named fragment computed once), and every
 *   branch of an inline fragment counts, so the estimate is an upper bound;
 * - introspection fields cost 1 (bounded by the schema, and off in production).
 */
export const ASSUMED_LIST_SIZE = 10;

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // Keyed by fragment name and the page size its list fields inherit.
  const memo = new Map<string, number>();

  const firstOf = (value: ValueNode | undefined): number => {
    let raw: unknown = DEFAULT_PAGE_SIZE;
    if (value?.kind === Kind.INT) raw = Number(value.value);
    else if (value?.kind === Kind.VARIABLE) {
      const fromVariables = variables[value.name.value];
      const definition = operation.variableDefinitions?.find((d) => d.variable.name.value === value.name.value);
      const fallback = definition?.defaultValue?.kind === Kind.INT ? Number(definition.defaultValue.value) : DEFAULT_PAGE_SIZE;
      raw = typeof fromVariables === 'number' ? fromVariables : fallback;
    }
    const n = typeof raw === 'number' && Number.isFinite(raw) ? Math.trunc(raw) : DEFAULT_PAGE_SIZE;
    return Math.min(Math.max(n, 0), MAX_PAGE_SIZE);
  };

  const selectionSetCost = (parent: GraphQLCompositeType, set: SelectionSetNode, pageSize: number | null): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
        const field = fields[name];
        if (name.startsWith('__') || !field) {
          total += 1;
          continue;
        }
        const isList = isListType(getNullableType(field.type));
        const hasFirst = field.args.some((a) => a.name === 'first');
        const first = hasFirst ? firstOf(selection.arguments?.find((a) => a.name.value === 'first')?.value) : null;
        const named = getNamedType(field.type);
        const children =
          selection.selectionSet && isCompositeType(named)
            ? selectionSetCost(named, selection.selectionSet, hasFirst && !isList ? first : null)
            : 0;
        const multiplier = isList ? (first ?? pageSize ?? ASSUMED_LIST_SIZE) : 1;
        total += 1 + multiplier * children;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += selectionSetCost(typed && isCompositeType(typed) ? typed : parent, selection.selectionSet, pageSize);
      } else {
        const key = `${selection.name.value}\u0000${pageSize}`;
        const known = memo.get(key);
        if (known !== undefined) {
          total += known;
          continue;
        }
        memo.set(key, 0); // a cycle (refused by validation anyway) counts as 0
        const fragment = fragments.get(selection.name.value);
        const typed = fragment ? schema.getType(fragment.typeCondition.name.value) : null;
        const cost = fragment && typed && isCompositeType(typed) ? selectionSetCost(typed, fragment.selectionSet, pageSize) : 0;
        memo.set(key, cost);
        total += cost;
      }
    }
    return total;
  };

  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  return root ? selectionSetCost(root, operation.selectionSet, null) : 0;
}

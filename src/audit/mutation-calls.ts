import { getArgumentValues, Kind, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** One root field of a mutation operation: its name, its alias (the response key) and its argument values. */
export interface MutationCall {
  name: string;
  responseKey: string;
  args: Record<string, unknown>;
}

/**
 * The root fields of a mutation operation with their arguments resolved against the variables
 * (top-level fields and inline fragments; `__typename` skipped). Null when a variable does not
 * coerce: execution reports that itself.
 */
export function mutationCalls(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): MutationCall[] | null {
  const type = schema.getMutationType();
  if (!type) return [];
  const fields = type.getFields();
  const calls: MutationCall[] = [];
  const visit = (set: SelectionSetNode): void => {
    for (const s of set.selections) {
      if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet);
      if (s.kind !== Kind.FIELD || !fields[s.name.value]) continue;
      const args = getArgumentValues(fields[s.name.value]!, s, variables ?? {});
      calls.push({ name: s.name.value, responseKey: s.alias?.value ?? s.name.value, args: { ...args } });
    }
  };
  try {
    visit(operation.selectionSet);
  } catch {
    return null;
  }
  return calls;
}

/** JSON with object keys sorted at every level, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** True when any call's `input.dryRun` is true. */
export function isDryRun(calls: readonly MutationCall[]): boolean {
  return calls.some((c) => (c.args.input as { dryRun?: unknown } | undefined)?.dryRun === true);
}

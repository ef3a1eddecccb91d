import type { FragmentDefinitionNode, SelectionSetNode } from 'graphql';

/**
 * Walks selection sets through inline fragments and fragment spreads, memoising each named
 * fragment's result: a document that spreads a fragment twice, which spreads another twice,
 * and so on, would otherwise cost the limit checks time exponential in the document's size.
 * A fragment cycle (refused by graphql-js' own rules, which run alongside) counts as 0.
 */
export function fragmentMemo<T>(
  fragments: (name: string) => FragmentDefinitionNode | null | undefined,
  measure: (selectionSet: SelectionSetNode, spread: (name: string) => T | null) => T,
): (selectionSet: SelectionSetNode) => T {
  const memo = new Map<string, T | null>();
  const spread = (name: string): T | null => {
    if (memo.has(name)) return memo.get(name) ?? null;
    const fragment = fragments(name);
    memo.set(name, null); // a cycle reads null while the fragment is being measured
    const value = fragment ? measure(fragment.selectionSet, spread) : null;
    memo.set(name, value);
    return value;
  };
  return (selectionSet) => measure(selectionSet, spread);
}

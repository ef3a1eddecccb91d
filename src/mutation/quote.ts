/**
 * Documents a dry run returns as a quote: shaped like the real ones, but never written, and
 * marked so as a value (`quote: true`). Fields that would load what the same dry run did not write
 * either (a quoted subscription's order) answer null for them, instead of a NOT_FOUND error about
 * an ID the client never saw.
 */
export type Quote<T extends object> = T & { readonly quote: true };

export function asQuote<T extends object>(doc: T): Quote<T> {
  return { ...doc, quote: true };
}

export function isQuote(doc: object): doc is Quote<object> {
  return (doc as { quote?: unknown }).quote === true;
}

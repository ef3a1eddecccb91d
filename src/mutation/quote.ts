/**
 * Documents a dry run returns as a quote: shaped like the real ones, but never written. Fields
 * that would load what the same dry run did not write either (a quoted subscription's order)
 * answer null for them, instead of a NOT_FOUND error about an ID the client never saw.
 */
const quotes = new WeakSet<object>();

export function asQuote<T extends object>(doc: T): T {
  const copy = { ...doc };
  quotes.add(copy);
  return copy;
}

export function isQuote(doc: object): boolean {
  return quotes.has(doc);
}

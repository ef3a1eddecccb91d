/**
 * An allowed decision's message in both moods. The policy words it twice: as done (`summary`, the
 * answer of an applied operation) and as a quote (`quoteSummary`, the answer of a dryRun, in the
 * conditional: "216.00 USD would be credited"), so a quote never reads as if it had happened. Only
 * the write path knows whether the operation runs, so it picks the mood (asQuote).
 */

export interface Phrased {
  /** What was done: the message of an applied operation. */
  summary: string;
  /** What would be done: the message of a quote (dryRun), in the conditional. */
  quoteSummary: string;
}

export function phrased(done: string, quote: string): Phrased {
  return { summary: done, quoteSummary: quote };
}

/** The outcome as a quote: its `summary` becomes its `quoteSummary`, when it has one; nothing else changes. */
export function asQuote<T extends object>(outcome: T): T {
  const quote = (outcome as Partial<Phrased>).quoteSummary;
  return typeof quote === 'string' ? { ...outcome, summary: quote } : outcome;
}

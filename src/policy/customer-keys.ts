/**
 * The fields a customer document derives from its name and domain, for reads by equality
 * (docs/database.md, "Customer reads by equality"). Every writer of a customer document (the
 * seeder, createCustomer, sandbox templates through the seeder) builds them here, so that they
 * stay in step with `companyName` and `domain`; a database from before them gets them at start
 * (`ensureIndexes`, src/db/collections.ts).
 */
import type { CustomerDoc } from '../db/documents.js';

/**
 * The longest search prefix kept as a token, in code points. A longer search matches by its first
 * SEARCH_PREFIX_MAX code points by equality, then by its whole prefix among those rows.
 */
export const SEARCH_PREFIX_MAX = 20;

/** The first `n` code points of `s` (never splitting a surrogate pair, which BSON could not carry). */
export function codePointPrefix(s: string, n: number): string {
  let out = '';
  let count = 0;
  for (const ch of s) {
    if (count === n) break;
    out += ch;
    count++;
  }
  return out;
}

/**
 * Every prefix of 1..SEARCH_PREFIX_MAX code points of the lower-cased name and of the lower-cased
 * domain, without repeats: `{ searchPrefixes: token }` then matches exactly the customers whose
 * name or domain starts with the token, as a search by prefix does.
 */
export function searchPrefixes(companyNameLower: string, domainLower: string): string[] {
  const out = new Set<string>();
  for (const s of [companyNameLower, domainLower]) {
    let prefix = '';
    let count = 0;
    for (const ch of s) {
      if (count === SEARCH_PREFIX_MAX) break;
      prefix += ch;
      count++;
      out.add(prefix);
    }
  }
  return [...out];
}

/** The derived fields of a customer named `companyName` at `domain` (both as stored). */
export function customerNameFields(
  companyName: string,
  domain: string,
): Pick<CustomerDoc, 'companyNameLower' | 'domainLower' | 'searchPrefixes'> {
  const companyNameLower = companyName.toLowerCase();
  const domainLower = domain.toLowerCase();
  return { companyNameLower, domainLower, searchPrefixes: searchPrefixes(companyNameLower, domainLower) };
}

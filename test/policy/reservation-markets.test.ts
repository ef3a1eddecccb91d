import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReservationMarket, RESERVATION_UNAVAILABLE_MARKETS, reservationsAvailableIn } from '../../src/policy/reservation-markets.js';
import { customer } from './harness.js';

/*
 * RES-MARKETS against its source: the table of unavailable markets in seed 002 (Dutch, three
 * columns "A naar Gi", "Gr naar Pal", "Pap naar Z"), kept verbatim as the project's own fixture
 * (.ci/run fails when it drifts from the seed). Every name of the table is in the data, in its
 * column, and nothing else is.
 */

const seedPath = path.resolve(import.meta.dirname, '../fixtures/reservation-markets.seed-002.txt');

/** The table's cells by column (0, 1, 2), in order, from the `> | ... |` rows after the header. */
function seedTable(): string[][] {
  if (!existsSync(seedPath)) throw new Error(`The table of seed 002 is missing: expected it at ${seedPath}.`);
  const rows = readFileSync(seedPath, 'utf8')
    .split('\n')
    .filter((line) => /^>\s*\|/.test(line))
    .map((line) =>
      line
        .replace(/^>\s*\|/, '')
        .replace(/\|\s*$/, '')
        .split('|')
        .map((cell) => cell.trim()),
    );
  // Header ("A naar Gi" ...) and the separator row.
  expect(rows[0]).toEqual(['A naar Gi', 'Gr naar Pal', 'Pap naar Z']);
  const columns: string[][] = [[], [], []];
  for (const row of rows.slice(2)) row.forEach((cell, i) => cell !== '' && columns[i]!.push(cell));
  return columns;
}

describe('the unavailable markets of seed 002 (RES-MARKETS)', () => {
  const columns = seedTable();

  it('RES-MARKETS: the data holds every market of each of the three columns of the seed table, in order, and no other', () => {
    expect(columns.map((c) => c.length)).toEqual([37, 37, 35]);
    for (const column of [1, 2, 3] as const) {
      expect(RESERVATION_UNAVAILABLE_MARKETS.filter((m) => m.column === column).map((m) => m.seedName)).toEqual(columns[column - 1]);
    }
  });

  it('RES-MARKETS: a few names of each column map to their ISO 3166 codes', () => {
    const code = (seedName: string) => RESERVATION_UNAVAILABLE_MARKETS.find((m) => m.seedName === seedName)?.code;
    // A to Gi
    expect(['Ålandeilanden', 'Azerbeidzjan', 'Bonaire', 'Cambodja', 'China', 'Tsjaad', 'Congo (DRC)', 'Gibraltar'].map(code)).toEqual([
      'AX',
      'AZ',
      'BQ',
      'KH',
      'CN',
      'TD',
      'CD',
      'GI',
    ]);
    // Gr to Pal
    expect(['Groenland', 'Heard- en McDonald-eilanden', 'Jan Mayen', 'Kosovo', 'Noordelijke Marianen', 'Palau'].map(code)).toEqual([
      'GL',
      'HM',
      'SJ',
      'XK',
      'MP',
      'PW',
    ]);
    // Pap to Z
    expect(
      ['Saba', 'Sint Eustatius', 'Sño Toñ en Prñncipe', 'Amerikaanse outlyingeilanden', 'Wallis en Walluna', 'Jemen', 'Swaziland'].map(
        code,
      ),
    ).toEqual(['BQ', 'BQ', 'ST', 'UM', 'WF', 'YE', 'SZ']);
  });

  it('RES-MARKETS: every code is an upper-case alpha-2 code; BQ and SJ are the only codes with several rows', () => {
    expect(RESERVATION_UNAVAILABLE_MARKETS.every((m) => /^[A-Z]{2}$/.test(m.code) && m.name.length > 0)).toBe(true);
    const counts = new Map<string, number>();
    for (const m of RESERVATION_UNAVAILABLE_MARKETS) counts.set(m.code, (counts.get(m.code) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([
      ['BQ', 3],
      ['SJ', 2],
    ]);
    expect(counts.size).toBe(106);
  });

  it('RES-MARKETS: customers billed there are refused, with the market named; elsewhere nothing is refused', () => {
    expect(checkReservationMarket(customer({ billingCountry: 'YE' }))).toMatchObject({
      allowed: false,
      rule: 'RES-MARKETS',
      code: 'NOT_ELIGIBLE',
      message: expect.stringContaining('Yemen (YE)'),
    });
    expect(checkReservationMarket(customer({ billingCountry: 'wf' }))).toMatchObject({ rule: 'RES-MARKETS' });
    for (const country of ['US', 'NL', 'DE', 'AU', 'BR', 'JP', 'GB']) {
      expect(checkReservationMarket(customer({ billingCountry: country }))).toBeNull();
      expect(reservationsAvailableIn(country)).toBe(true);
    }
    expect(reservationsAvailableIn('CN')).toBe(false);
  });
});

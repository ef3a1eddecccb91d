/**
 * A small deterministic PRNG for the seeder: sfc32 seeded through cyrb128, so the same seed
 * string always gives the same stream on every platform (no Math.random, no Date.now).
 * Not cryptographic; GUIDs and keys made from it are shaped like real ones, nothing more.
 */

/** cyrb128: hashes a string into four 32-bit words, the state sfc32 starts from. */
function cyrb128(input: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < input.length; i++) {
    const k = input.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const HEX = '0123456789abcdef';

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The same seed (a string, or a number taken as its decimal string) gives the same stream. */
  constructor(seed: string | number) {
    [this.a, this.b, this.c, this.d] = cyrb128(String(seed));
    // Discard the first outputs: sfc32 mixes poorly for a few rounds.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent stream for a sub-task, e.g. one per customer, keyed by a label. */
  fork(label: string | number): Rng {
    return new Rng(`${this.nextUint32().toString(16)}/${label}`);
  }

  /** sfc32: a uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(min, max) needs integers with min <= max, but got (${min}, ${max})`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() needs a non-empty array');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks by relative weight: `[[value, weight], ...]`; weights need not sum to 1. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    if (!(total > 0)) throw new RangeError('weighted() needs at least one positive weight');
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  /** Up to `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = items.slice();
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, n);
  }

  /** `n` lower-case hex digits. */
  hex(n: number): string {
    let out = '';
    while (out.length < n) {
      const word = this.nextUint32();
      for (let shift = 28; shift >= 0 && out.length < n; shift -= 4) out += HEX[(word >>> shift) & 15];
    }
    return out;
  }

  /**
   * A lower-case GUID shaped like a v4 UUID (version nibble 4, variant 8-b). `prefix`, an unsigned
   * 32-bit integer, fixes the first eight hex digits (for index locality); the rest is random.
   */
  guid(prefix?: number): string {
    let h = this.hex(32);
    if (prefix !== undefined) h = (prefix >>> 0).toString(16).padStart(8, '0') + h.slice(8);
    const variant = HEX[8 + (parseInt(h[16]!, 16) & 3)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** A modern Partner Center order ID: twelve lower-case hex digits. */
  orderId(): string {
    return this.hex(12);
  }

  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

export function createRng(seed: string | number): Rng {
  return new Rng(seed);
}

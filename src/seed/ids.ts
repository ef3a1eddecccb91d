/**
 * IDs with locality.
 *
 * FerretDB's SQLite backend spends most of a bulk load on index pages: random keys dirty a
 * different B-tree page per document. So every customer owns a slot of the ID space, in
 * generation order: its GUIDs start with a random 32-bit prefix inside its slot, its order IDs
 * with a random 24-bit prefix inside its slot. Consecutive inserts then land on neighbouring
 * pages (the whole 100k seed is about a fifth faster), and the IDs still look random.
 */
import type { Rng } from './random.js';

/** Worlds up to this size keep order IDs unique by construction (2^24 order-ID slots). */
export const MAX_WORLD_CUSTOMERS = 10_000_000;

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A four-round Feistel network on 24 bits: a keyed bijection, so distinct inputs stay distinct. */
function permute24(keys: readonly number[], x: number): number {
  let left = (x >>> 12) & 0xfff;
  let right = x & 0xfff;
  for (const key of keys) {
    const next = (left ^ mix32(right ^ key)) & 0xfff;
    left = right;
    right = next;
  }
  return (left << 12) | right;
}

/**
 * Twelve hex digits: a 24-bit prefix in the customer's slot, then a keyed permutation of
 * (ordinal mod 65536, purchase number). Only neighbouring customers can share a prefix, and their
 * ordinals differ mod 65536, so two purchases never get the same ID.
 */
export function orderIdFor(keys: readonly number[], slot24: number, ordinal: number, purchaseNo: number): string {
  if (purchaseNo > 0xff) throw new RangeError(`orderIdFor: a customer makes at most 256 purchases, got ${purchaseNo + 1}`);
  const low = permute24(keys, ((ordinal & 0xffff) << 8) | purchaseNo);
  return slot24.toString(16).padStart(6, '0') + low.toString(16).padStart(6, '0');
}

/** The customer's slots: [ordinal, ordinal + 1) scaled to 2^bits, at a random point inside. */
export class IdSlots {
  constructor(
    private readonly rng: Rng,
    private readonly ordinal: number,
    private readonly total: number,
  ) {}

  prefix(bits: 24 | 32): number {
    return Math.floor(((this.ordinal + this.rng.next()) * 2 ** bits) / this.total);
  }

  guid(): string {
    return this.rng.guid(this.prefix(32));
  }
}

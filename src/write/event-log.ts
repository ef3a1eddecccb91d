/**
 * The event log (docs/events.md): appending an event with the partner's next sequence number, and
 * reading a partner's events after a sequence number.
 *
 * Sequence numbers are claimed by insert, never by a counter update: FerretDB 1.24 applies an
 * update as read-modify-write without isolation, so two concurrent `$inc`s may both read 41 and
 * both write 42. The unique index `partner_seq` decides instead: a writer tries the number after
 * the highest it knows of and, when another writer inserted that number first, the next one.
 * Invariants this gives, on MongoDB and FerretDB alike:
 * - a partner's numbers have no gaps: a writer only ever tries n + 1 after seeing n taken, so
 *   every number below the one it writes exists when it writes it (the retention purge removes
 *   the oldest only);
 * - commit order is sequence order: a reader that sees n sees every number below n, so a
 *   follower that reads "after n" in bucket order never skips one that commits late.
 * `eventSequences` holds each partner's highest number as a hint, so a writer that has never seen
 * the partner (another instance, after a restart) starts near the end instead of at 1; a stale
 * hint costs a few duplicate-key retries, never a wrong number.
 */
import type { Collections } from '../db/collections.js';
import type { EventDoc } from '../db/documents.js';
import { isDuplicateKey } from './mongo-errors.js';

/** Events per bucket: a follower reads one bucket (one equality query) per step. */
export const EVENT_BUCKET_SIZE = 64;

export function bucketOf(seq: number): number {
  return Math.floor(seq / EVENT_BUCKET_SIZE);
}

/**
 * The highest sequence number this process has written or read, per database and partner: where
 * the next claim starts. Keyed by the events collection's namespace too, so two databases in one
 * process (tests, the benchmark) never lend each other a number.
 */
const known = new Map<string, number>();
/** Bounded, so a gateway serving many partners does not grow without end; a forgotten partner re-reads its hint. */
const KNOWN_MAX = 10_000;

function knownKey(cols: Collections, partnerId: string): string {
  return `${cols.events.namespace}|${partnerId}`;
}

function remember(cols: Collections, partnerId: string, seq: number): void {
  const key = knownKey(cols, partnerId);
  if ((known.get(key) ?? 0) >= seq) return;
  if (known.size >= KNOWN_MAX && !known.has(key)) known.delete(known.keys().next().value!);
  known.set(key, seq);
}

async function hint(cols: Collections, partnerId: string): Promise<number> {
  const doc = await cols.eventSequences.findOne({ _id: partnerId }, { projection: { seq: 1 } });
  return doc?.seq ?? 0;
}

/** Raises the partner's hint to `seq` (never lowers it on MongoDB; a lost race on FerretDB leaves it a little behind). */
async function raiseHint(cols: Collections, partnerId: string, seq: number): Promise<void> {
  try {
    await cols.eventSequences.updateOne({ _id: partnerId }, { $max: { seq }, $setOnInsert: { partnerId } }, { upsert: true });
  } catch (error) {
    // Two first events of a partner upserting at once: the other one created the hint.
    if (!isDuplicateKey(error)) throw error;
  }
}

export type AppendResult = { written: true; seq: number } | { written: false };

/**
 * Writes `event` (its `_id` chosen by the caller: `<operation ID>:<effect index>`) with the
 * partner's next sequence number. Idempotent: when an event with this `_id` exists already (a
 * replay of the operation), writes nothing and returns `written: false`. `raiseHint: false`
 * leaves the hint alone: the write path raises it once per operation, at its last event, which is
 * one write where each event would be one more (a hint trailing by one operation's events costs a
 * retry or two, see the header). `readHint: false` trusts the number this process remembers
 * without reading the hint: the write path reads it at an operation's first event only.
 */
export async function appendEvent(
  cols: Collections,
  event: Omit<EventDoc, 'seq' | 'bucket'>,
  options: { raiseHint: boolean; readHint: boolean } = { raiseHint: true, readHint: true },
): Promise<AppendResult> {
  const { partnerId } = event;
  const key = knownKey(cols, partnerId);
  // Read the hint at least once per operation (`readHint`, its first event): after a sandbox
  // restore freed the numbers above its snapshot, a number this process remembers from before
  // may be free again though followers are past it; the hint never goes back, so reading it
  // before taking the turn below is enough.
  const floor = !known.has(key) || options.readHint ? await hint(cols, partnerId) : 0;
  const done = await takeTurn(key);
  let result: AppendResult;
  try {
    result = await claim(cols, event, Math.max(known.get(key) ?? 0, floor) + 1);
  } finally {
    done();
  }
  if (result.written && options.raiseHint) await raiseHint(cols, partnerId, result.seq);
  return result;
}

/**
 * One writer of a partner's events at a time in this process: concurrent operations of one partner
 * (several customers at once) would all try the same next number, and all but one would collide,
 * then collide again on the next: n writers cost n² failed inserts. In turn, each takes the number
 * after the last one written. Writers in other processes still collide, rarely, and move on.
 */
const turns = new Map<string, Promise<void>>();

async function takeTurn(key: string): Promise<() => void> {
  const before = turns.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const tail = before.then(() => mine);
  turns.set(key, tail);
  await before;
  return () => {
    done();
    if (turns.get(key) === tail) turns.delete(key);
  };
}

async function claim(cols: Collections, event: Omit<EventDoc, 'seq' | 'bucket'>, first: number): Promise<AppendResult> {
  const { partnerId } = event;
  let next = first;
  for (let collisions = 0; ; collisions++) {
    try {
      await cols.events.insertOne({ ...event, seq: next, bucket: bucketOf(next) });
      remember(cols, partnerId, next);
      return { written: true, seq: next };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    if (await cols.events.findOne({ _id: event._id }, { projection: { _id: 1 } })) return { written: false };
    // Another writer has `next`. After the first collision, skip ahead to the hint, which another
    // instance may have moved far past what this one knows.
    next = collisions === 0 ? Math.max(next, await hint(cols, partnerId)) + 1 : next + 1;
  }
}

/**
 * Up to `limit` events of the partner with a sequence number above `after`, in sequence order,
 * read bucket by bucket (equality on `partnerId` and `bucket`, which FerretDB pushes down). Stops
 * at the first bucket that is not full: numbers have no gaps, so nothing lies beyond it.
 */
export async function readEventsAfter(cols: Collections, partnerId: string, after: number, limit: number): Promise<EventDoc[]> {
  const out: EventDoc[] = [];
  const start = bucketOf(after + 1);
  let bucket = start;
  // A sandbox restore (docs/sandboxes.md) takes a partner's log back to its snapshot while the
  // numbering goes on from the highest ever used: the run after `after` may start buckets later.
  const first = await cols.events.find({ partnerId, bucket }).toArray();
  if (!first.some((d) => d.seq > after)) {
    const end = await hint(cols, partnerId);
    for (bucket++; bucket <= bucketOf(end); bucket++) {
      if ((await cols.events.countDocuments({ partnerId, bucket }, { limit: 1 })) > 0) break;
    }
    if (bucket > bucketOf(end)) return out;
  }
  for (; out.length < limit; bucket++) {
    const docs = bucket === start ? first : await cols.events.find({ partnerId, bucket }).toArray();
    const fresh = docs.filter((d) => d.seq > after).sort((a, b) => a.seq - b.seq);
    if (fresh.length === 0) break;
    for (const doc of fresh) {
      if (out.length >= limit) break;
      // A number missing inside the run is still being written (or was purged): stop before it.
      const expected = (out.at(-1)?.seq ?? after) + 1;
      if (doc.seq !== expected && out.length > 0) return out;
      out.push(doc);
    }
    if (fresh.at(-1)!.seq < (bucket + 1) * EVENT_BUCKET_SIZE - 1) break;
  }
  if (out.length > 0) remember(cols, partnerId, out.at(-1)!.seq);
  return out;
}

/** The partner's highest sequence number (0 before its first event): where a new follower starts. */
export async function latestSeq(cols: Collections, partnerId: string): Promise<number> {
  let seq = await hint(cols, partnerId);
  // The hint may trail by a few (see the header): walk to the real end.
  for (;;) {
    const more = await readEventsAfter(cols, partnerId, seq, EVENT_BUCKET_SIZE);
    if (more.length === 0) return seq;
    seq = more.at(-1)!.seq;
  }
}

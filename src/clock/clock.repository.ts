/**
 * GEN-CLOCK: each partner tenant has a simulation clock of its own, a document in `clock` with
 * `_id` = the partner's tenant ID, shared by every gateway instance. It is read here and moved
 * forward only, by compare-and-set on its `version`; a partner without a document reads the
 * configured start instant at version 0.
 *
 * A long advance moves the clock in steps (src/clock/lifecycle-engine.ts); until its last step the
 * document records where it is going (`advancing`), so that a call cut short (its time budget, a
 * crash) can be continued to the same instant.
 */
import type { Collection } from 'mongodb';
import type { ClockDoc } from '../db/documents.js';
import { isDuplicateKey } from '../write/mongo-errors.js';

/** An advance that moved the clock part of the way: where it is going, and the duration it was asked by. */
export interface UnfinishedAdvance {
  to: Date;
  /** The ISO-8601 duration the call gave (`by`), null when it gave `to`: the same `by` again continues it. */
  by: string | null;
}

export interface ClockReading {
  now: Date;
  /** 0 while the partner has no clock document yet. */
  version: number;
  /** Absent unless an advance stopped short of its target. */
  unfinished?: UnfinishedAdvance;
}

export class ClockRepository {
  constructor(
    private readonly clock: Collection<ClockDoc>,
    /** The instant every partner's clock starts at (configuration, `SIMULATION_CLOCK_START`). */
    readonly defaultStart: Date,
  ) {}

  async read(partnerId: string): Promise<ClockReading> {
    const doc = await this.clock.findOne({ _id: partnerId });
    if (!doc) return { now: this.defaultStart, version: 0 };
    const unfinished = doc.advancing && doc.advancing.to.getTime() > doc.now.getTime() ? doc.advancing : undefined;
    return { now: doc.now, version: doc.version, ...(unfinished ? { unfinished } : {}) };
  }

  /**
   * Moves `partnerId`'s clock to `to` when it is still at `expectedVersion` (as read) and `to` is
   * not before its current instant; returns whether it did. False means someone else moved it
   * first (read again and recompute) or `to` lies in its past. `advancing` records the advance
   * this move is a step of (null: the last step, or no advance, clears it), in the same write.
   */
  async compareAndSet(partnerId: string, expectedVersion: number, to: Date, advancing: UnfinishedAdvance | null = null): Promise<boolean> {
    const updatedAt = new Date();
    if (expectedVersion === 0) {
      if (to.getTime() < this.defaultStart.getTime()) return false;
      try {
        await this.clock.insertOne({ _id: partnerId, now: to, version: 1, updatedAt, ...(advancing ? { advancing } : {}) });
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A document exists: another writer created it, or it was stored at version 0 (a seed).
      }
    }
    const moved = await this.clock.findOneAndUpdate(
      { _id: partnerId, version: expectedVersion, now: { $lte: to } },
      advancing
        ? { $set: { now: to, updatedAt, advancing }, $inc: { version: 1 } }
        : { $set: { now: to, updatedAt }, $unset: { advancing: '' }, $inc: { version: 1 } },
    );
    return moved !== null;
  }
}

declare module '../db/documents.js' {
  interface ClockDoc {
    /** The advance the clock is in the middle of (absent: none). */
    advancing?: UnfinishedAdvance;
  }
}

declare module '../shared/context.js' {
  interface Repositories {
    clock: ClockRepository;
  }
}

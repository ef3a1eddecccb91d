/**
 * GEN-CLOCK: each partner tenant has a simulation clock of its own, a document in `clock` with
 * `_id` = the partner's tenant ID, shared by every gateway instance. It is read here and moved
 * forward only, by compare-and-set on its `version`; a partner without a document reads the
 * configured start instant at version 0.
 */
import type { Collection } from 'mongodb';
import type { ClockDoc } from '../db/documents.js';
import { isDuplicateKey } from '../write/mongo-errors.js';

export interface ClockReading {
  now: Date;
  /** 0 while the partner has no clock document yet. */
  version: number;
}

export class ClockRepository {
  constructor(
    private readonly clock: Collection<ClockDoc>,
    /** The instant every partner's clock starts at (configuration, `SIMULATION_CLOCK_START`). */
    readonly defaultStart: Date,
  ) {}

  async read(partnerId: string): Promise<ClockReading> {
    const doc = await this.clock.findOne({ _id: partnerId });
    return doc ? { now: doc.now, version: doc.version } : { now: this.defaultStart, version: 0 };
  }

  /**
   * Moves `partnerId`'s clock to `to` when it is still at `expectedVersion` (as read) and `to` is
   * not before its current instant; returns whether it did. False means someone else moved it
   * first (read again and recompute) or `to` lies in its past.
   */
  async compareAndSet(partnerId: string, expectedVersion: number, to: Date): Promise<boolean> {
    const updatedAt = new Date();
    if (expectedVersion === 0) {
      if (to.getTime() < this.defaultStart.getTime()) return false;
      try {
        await this.clock.insertOne({ _id: partnerId, now: to, version: 1, updatedAt });
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A document exists: another writer created it, or it was stored at version 0 (a seed).
      }
    }
    const moved = await this.clock.findOneAndUpdate(
      { _id: partnerId, version: expectedVersion, now: { $lte: to } },
      { $set: { now: to, updatedAt }, $inc: { version: 1 } },
    );
    return moved !== null;
  }
}

declare module '../shared/context.js' {
  interface Repositories {
    clock: ClockRepository;
  }
}

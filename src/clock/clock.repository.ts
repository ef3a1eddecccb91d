import type { Collection } from 'mongodb';
import type { ClockDoc } from '../db/documents.js';
import { SEED_CLOCK_START } from '../seed/demo-ids.js';

/** GEN-CLOCK: the simulation clock lives in the database, so every gateway instance reads the same time. */
export class ClockRepository {
  constructor(private readonly clock: Collection<ClockDoc>) {}

  /** The current simulated instant; a world without a clock starts at SEED_CLOCK_START. */
  async now(): Promise<Date> {
    const doc = await this.clock.findOne({ _id: 'simulation' });
    return doc?.now ?? SEED_CLOCK_START;
  }
}

/**
 * Test sandboxes' documents (docs/sandboxes.md): creating one (its sandbox record, partner and
 * clock), listing an administrator's, deleting one with everything its partner owns, and the purge.
 *
 * Crash safety without the journal: a sandbox is written in an order that a crash can only stop at
 * a state the purge finishes, and its own callers are let in only while it is `ready` (the gate,
 * SandboxService.admit). Creation writes the sandbox record first (`creating`), then its partner,
 * clock, world and initial snapshot, then marks it `ready`; nothing can call as the partner until
 * tokens are minted, after `ready`. A restore marks it `restoring` (naming the snapshot and a
 * lease) before it changes anything and `ready` after; one interrupted is finished by whoever
 * finds its lease expired (the gate, the purge). Deletion marks it `deleting` first, then, holding
 * every lock of the tenant (no writer of it is left half-way), removes the partner, every
 * tenant-owned document, the snapshots, the clock and last the record. Each step is idempotent,
 * so the purge (on a timer and before a quota check) finishes any sandbox left `deleting`, or
 * `creating` past CREATING_GRACE_MS, and never shows a half-made tenant as `ready`.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Collection, Filter } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { PartnerDoc, PartnerType, SandboxDoc, SandboxRestoring } from '../db/documents.js';
import { isDuplicateKey } from '../write/mongo-errors.js';
import { acquireTenant, releaseTenant } from '../write/tenant-lock.js';
import type { SnapshotRepository } from './snapshot.repository.js';

/** Random places tried before an administrator's places are read (a quota nearly or wholly used). */
const RANDOM_PLACE_ATTEMPTS = 4;

/** A `creating` sandbox older than this was left by a crash: creation takes seconds at most, a SANDBOX_MAX_CUSTOMERS world included. */
export const CREATING_GRACE_MS = 5 * 60_000;

/** Every collection whose documents carry the owning partner's `partnerId` (ROLE-TENANT). */
export const TENANT_COLLECTIONS = [
  'customers',
  'subscriptions',
  'orders',
  'softwareOrders',
  'reservations',
  'carts',
  'supportRequests',
  'ledger',
  'auditEvents',
  'softwareActivity',
  'refundCaps',
  'operations',
  'idempotency',
  'sandboxOffers',
  // The event log goes back with the world it describes; its numbering does not (eventSequences
  // keeps the highest number ever used, src/write/event-log.ts), so no number is used twice.
  'events',
] as const satisfies readonly (keyof Collections)[];

/**
 * Collections of a tenant's own that a snapshot does not hold and a restore leaves as they are:
 * the event numbering, and the integration's configuration (webhook registrations and their
 * deliveries). Deleting the sandbox deletes them too.
 */
export const TENANT_KEPT_COLLECTIONS = [
  'eventSequences',
  'webhookRegistrations',
  'webhookCursors',
  'webhookDeliveries',
] as const satisfies readonly (keyof Collections)[];

export interface NewSandbox {
  name: string;
  partnerType: PartnerType;
  adminPartnerId: string;
  clockStart: Date;
  createdAt: Date;
  expiresAt: Date;
  template: SandboxDoc['template'];
  /** The world's seed; null for `empty`. */
  seed: string | null;
  customerCount: number;
}

/** The sandbox's partner document, as `writePartner` writes it and as its world is generated for. */
export function sandboxPartnerDoc(sandbox: SandboxDoc): PartnerDoc {
  return {
    _id: sandbox.partnerId,
    name: sandbox.name,
    partnerType: sandbox.partnerType,
    // Unique (mpnId_unique) and never a real MPN ID, which is numeric.
    mpnId: `sandbox-${sandbox.partnerId}`,
    indirectProviderId: null,
    createdAt: sandbox.createdAt,
    sandboxAdminId: sandbox.adminPartnerId,
  };
}

export interface SandboxRepositoryOptions {
  /** Lease of the tenant's locks while deleting (LOCK_LEASE_MS). */
  lockLeaseMs: number;
  /** How long to wait for a live writer of the tenant to finish before leaving it to the purge. */
  lockWaitMs: number;
}

export class SandboxRepository {
  constructor(
    private readonly cols: Collections,
    private readonly snapshots: SnapshotRepository,
    private readonly options: SandboxRepositoryOptions,
  ) {}

  /** The sandbox record, marked `creating`, holding the quota place its creator took for it (takePlace). */
  async begin(sandboxId: string, place: number, input: NewSandbox): Promise<SandboxDoc> {
    const { seed, ...rest } = input;
    const doc: SandboxDoc = {
      _id: sandboxId,
      partnerId: randomUUID(),
      status: 'creating',
      place,
      ...rest,
      ...(seed === null ? {} : { seed }),
    };
    await this.cols.sandboxes.insertOne(doc);
    return doc;
  }

  /**
   * SANDBOX-QUOTA: takes one of `adminPartnerId`'s `max` places for `sandboxId`, or returns null
   * when all are held. A place is an insert of a free slot: a few random slots first (one insert,
   * whatever the number of sandboxes, while places are free), then, if they were all taken, the
   * administrator's places are read to find a free one or to know there is none.
   */
  async takePlace(adminPartnerId: string, sandboxId: string, max: number, now: Date): Promise<number | null> {
    const tryPlace = async (slot: number) => {
      try {
        await this.cols.sandboxPlaces.insertOne({ _id: `${adminPartnerId}#${slot}`, adminPartnerId, sandboxId, createdAt: now });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    };
    for (let attempt = 0; attempt < RANDOM_PLACE_ATTEMPTS; attempt++) {
      const slot = randomInt(max);
      if (await tryPlace(slot)) return slot;
    }
    const held = await this.cols.sandboxPlaces.find({ adminPartnerId }, { projection: { _id: 1 } }).toArray();
    const taken = new Set(held.map((p) => Number(p._id.slice(adminPartnerId.length + 1))));
    for (let slot = 0; slot < max && held.length < max; slot++) {
      if (!taken.has(slot) && (await tryPlace(slot))) return slot;
    }
    return null;
  }

  /** Gives `sandbox`'s place back; idempotent, and never another sandbox's that took the slot since. */
  async givePlace(sandbox: Pick<SandboxDoc, '_id' | 'adminPartnerId' | 'place'>): Promise<void> {
    if (sandbox.place === undefined) return;
    await this.cols.sandboxPlaces.deleteOne({ _id: `${sandbox.adminPartnerId}#${sandbox.place}`, sandboxId: sandbox._id });
  }

  /** Removes places older than CREATING_GRACE_MS whose sandbox was never recorded or is gone (a crash in between). */
  async purgeOrphanPlaces(now: Date): Promise<number> {
    const old = (await this.cols.sandboxPlaces.find({}).toArray()).filter(
      (p) => p.createdAt.getTime() <= now.getTime() - CREATING_GRACE_MS,
    );
    let removed = 0;
    for (const place of old) {
      if ((await this.cols.sandboxes.countDocuments({ _id: place.sandboxId })) > 0) continue;
      removed += (await this.cols.sandboxPlaces.deleteOne({ _id: place._id, sandboxId: place.sandboxId })).deletedCount;
    }
    return removed;
  }

  /**
   * The partner and its clock (at `clockStart`, version 1 so that the first advance is a plain
   * compare-and-set, whatever SIMULATION_CLOCK_START says). The sandbox stays `creating`.
   */
  async writePartner(sandbox: SandboxDoc): Promise<void> {
    const { partnerId, createdAt } = sandbox;
    await this.cols.partners.insertOne(sandboxPartnerDoc(sandbox));
    await this.cols.clock.insertOne({ _id: partnerId, now: sandbox.clockStart, version: 1, updatedAt: createdAt });
  }

  /** The last step of creation: from here on the sandbox is listed and its callers let in. */
  async markReady(sandbox: SandboxDoc): Promise<SandboxDoc> {
    await this.cols.sandboxes.updateOne({ _id: sandbox._id, status: 'creating' }, { $set: { status: 'ready' } });
    return { ...sandbox, status: 'ready' };
  }

  /** Removes a sandbox whose creation failed part-way (e.g. writing its world), with whatever of it was written. */
  async discard(sandbox: SandboxDoc): Promise<void> {
    await this.cols.sandboxes.updateOne({ _id: sandbox._id }, { $set: { status: 'deleting' } });
    await this.remove(sandbox);
  }

  /** The sandbox whose partner is `partnerId` (the gate), or null. */
  findByPartner(partnerId: string): Promise<SandboxDoc | null> {
    return this.cols.sandboxes.findOne({ partnerId });
  }

  /** `adminPartnerId`'s sandbox `sandboxId` in any state but `creating` and `deleting`, or null. */
  async findOwned(sandboxId: string, adminPartnerId: string): Promise<SandboxDoc | null> {
    const found = await this.cols.sandboxes.findOne({ _id: sandboxId, adminPartnerId });
    return found && (found.status === 'ready' || found.status === 'restoring') ? found : null;
  }

  /** Marks a `ready` sandbox `restoring`; null when it is not `ready` (another restore or a deletion). */
  beginRestore(sandboxId: string, restoring: SandboxRestoring): Promise<SandboxDoc | null> {
    return this.cols.sandboxes.findOneAndUpdate(
      { _id: sandboxId, status: 'ready' },
      { $set: { status: 'restoring', restoring } },
      { returnDocument: 'after' },
    );
  }

  /** Records the tenant locks a restore's holder took, for whoever finishes it if it dies. */
  async noteRestoreLocks(sandboxId: string, holder: string, lockKeys: readonly string[]): Promise<void> {
    await this.cols.sandboxes.updateOne(
      { _id: sandboxId, status: 'restoring', 'restoring.holder': holder },
      { $set: { 'restoring.lockKeys': [...lockKeys] } },
    );
  }

  /**
   * Takes over a restore whose holder's lease ended before `now` (it died) and removes the locks
   * that holder left; returns the sandbox as it was before (the dead holder's restore), or null.
   */
  async takeOverRestore(sandboxId: string, now: Date, holder: string, leaseUntil: Date): Promise<SandboxDoc | null> {
    const before = await this.cols.sandboxes.findOneAndUpdate(
      { _id: sandboxId, status: 'restoring', 'restoring.leaseUntil': { $lt: now } },
      { $set: { 'restoring.holder': holder, 'restoring.leaseUntil': leaseUntil }, $unset: { 'restoring.lockKeys': '' } },
      { returnDocument: 'before' },
    );
    const dead = before?.restoring;
    if (dead?.lockKeys) await Promise.all(dead.lockKeys.map((key) => this.cols.locks.deleteOne({ _id: key, holder: dead.holder })));
    return before;
  }

  /** `ready` again after a restore by `holder`, finished or (nothing changed yet) given up. */
  async endRestore(sandboxId: string, holder: string): Promise<boolean> {
    const ended = await this.cols.sandboxes.updateOne(
      { _id: sandboxId, status: 'restoring', 'restoring.holder': holder },
      { $set: { status: 'ready' }, $unset: { restoring: '' } },
    );
    return ended.modifiedCount === 1;
  }

  /** Restores a crash interrupted, their leases expired at `now`. */
  listStaleRestores(now: Date): Promise<SandboxDoc[]> {
    return this.cols.sandboxes
      .find({ status: 'restoring' })
      .toArray()
      .then((all) => all.filter((s) => s.restoring !== undefined && s.restoring.leaseUntil < now));
  }

  /** `adminPartnerId`'s live sandboxes (ready, or being restored), oldest first. */
  listLive(adminPartnerId: string): Promise<SandboxDoc[]> {
    return this.cols.sandboxes
      .find({ adminPartnerId, status: { $in: ['ready', 'restoring'] } }, { sort: { createdAt: 1, _id: 1 } })
      .toArray();
  }

  /** `adminPartnerId`'s ready sandbox `sandboxId`, or null. */
  findReady(sandboxId: string, adminPartnerId: string): Promise<SandboxDoc | null> {
    return this.cols.sandboxes.findOne({ _id: sandboxId, adminPartnerId, status: 'ready' });
  }

  /**
   * Marks `sandboxId` of `adminPartnerId` `deleting` and removes it; null when that administrator
   * has no such sandbox (another administrator's is not found either: ROLE-TENANT).
   */
  async deleteOwned(sandboxId: string, adminPartnerId: string): Promise<SandboxDoc | null> {
    const marked = await this.cols.sandboxes.findOneAndUpdate(
      { _id: sandboxId, adminPartnerId, status: { $in: ['ready', 'restoring', 'deleting'] } },
      { $set: { status: 'deleting' } },
      { returnDocument: 'after' },
    );
    if (!marked) return null;
    await this.remove(marked);
    return marked;
  }

  /**
   * Deletes every sandbox expired at `now`, left `deleting`, or left `creating` past
   * CREATING_GRACE_MS; returns how many. Safe to run from several gateways at once.
   */
  async purge(now: Date): Promise<number> {
    const filter: Filter<SandboxDoc> = {
      $or: [
        { expiresAt: { $lte: now } },
        { status: 'deleting' },
        { status: 'creating', createdAt: { $lte: new Date(now.getTime() - CREATING_GRACE_MS) } },
      ],
    };
    const due = await this.cols.sandboxes.find(filter).toArray();
    for (const sandbox of due) {
      await this.cols.sandboxes.updateOne({ _id: sandbox._id }, { $set: { status: 'deleting' } });
      await this.remove(sandbox);
    }
    return due.length;
  }

  /**
   * Idempotent: every step deletes what is left, so a rerun after a crash finishes the job. Holds
   * every lock of the tenant while it deletes, so that no writer that was let in before the
   * sandbox was marked `deleting` writes after it (an orphan); when a live writer keeps a lock
   * past the wait, the sandbox stays `deleting` for the next purge. Returns whether it finished.
   */
  private async remove(sandbox: SandboxDoc): Promise<boolean> {
    const { partnerId } = sandbox;
    const lease = await acquireTenant(this.cols, partnerId, `sandbox-delete/${randomUUID()}`, {
      leaseMs: this.options.lockLeaseMs,
      waitMs: this.options.lockWaitMs,
    });
    if (lease === null) return false;
    try {
      await this.cols.partners.deleteOne({ _id: partnerId, sandboxAdminId: sandbox.adminPartnerId });
      for (const name of [...TENANT_COLLECTIONS, ...TENANT_KEPT_COLLECTIONS]) {
        await (this.cols[name] as unknown as Collection<{ partnerId: string }>).deleteMany({ partnerId });
      }
      await this.snapshots.removeAll(sandbox._id);
      await this.cols.clock.deleteOne({ _id: partnerId });
    } finally {
      await releaseTenant(this.cols, lease);
    }
    await this.cols.sandboxes.deleteOne({ _id: sandbox._id });
    await this.givePlace(sandbox);
    return true;
  }
}

/**
 * Test sandboxes' documents (docs/sandboxes.md): creating one (its sandbox record, partner and
 * clock), listing an administrator's, deleting one with everything its partner owns, and the purge.
 *
 * Crash safety without the journal: a sandbox is written in an order that a crash can only stop at
 * a state the purge finishes. Creation writes the sandbox record first (`creating`), then its
 * partner and clock, then marks it `ready`; nothing can call as the partner until tokens are minted,
 * after `ready`. Deletion marks it `deleting` first, removes the partner (its tokens stop
 * authenticating), then every tenant-owned document, the clock and last the record. Each step is
 * idempotent, so the purge (on a timer and before a quota check) finishes any sandbox left
 * `deleting`, or `creating` past CREATING_GRACE_MS, and never shows a half-made tenant as `ready`.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Filter } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { PartnerType, SandboxDoc } from '../db/documents.js';
import { customerLockKey, partnerLockKey } from '../write/locks.js';

/** A `creating` sandbox older than this was left by a crash: creation takes milliseconds. */
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
] as const satisfies readonly (keyof Collections)[];

export interface NewSandbox {
  name: string;
  partnerType: PartnerType;
  adminPartnerId: string;
  clockStart: Date;
  createdAt: Date;
  expiresAt: Date;
}

export class SandboxRepository {
  constructor(private readonly cols: Collections) {}

  /** The sandbox record, marked `creating`: it counts against the quota before anything else is written. */
  async begin(input: NewSandbox): Promise<SandboxDoc> {
    const doc: SandboxDoc = { _id: randomUUID(), partnerId: randomUUID(), template: 'empty', status: 'creating', ...input };
    await this.cols.sandboxes.insertOne(doc);
    return doc;
  }

  /** Sandboxes `adminPartnerId` holds against its quota: every one not being deleted. */
  countHeld(adminPartnerId: string): Promise<number> {
    return this.cols.sandboxes.countDocuments({ adminPartnerId, status: { $ne: 'deleting' } });
  }

  /** Undoes `begin` when the quota refuses: nothing else was written yet. */
  async deleteBegun(sandboxId: string): Promise<void> {
    await this.cols.sandboxes.deleteOne({ _id: sandboxId, status: 'creating' });
  }

  /**
   * The partner and its clock (at `clockStart`, version 1 so that the first advance is a plain
   * compare-and-set, whatever SIMULATION_CLOCK_START says), then `ready`.
   */
  async complete(sandbox: SandboxDoc): Promise<SandboxDoc> {
    const { partnerId, createdAt } = sandbox;
    await this.cols.partners.insertOne({
      _id: partnerId,
      name: sandbox.name,
      partnerType: sandbox.partnerType,
      // Unique (mpnId_unique) and never a real MPN ID, which is numeric.
      mpnId: `sandbox-${partnerId}`,
      indirectProviderId: null,
      createdAt,
      sandboxAdminId: sandbox.adminPartnerId,
    });
    await this.cols.clock.insertOne({ _id: partnerId, now: sandbox.clockStart, version: 1, updatedAt: createdAt });
    await this.cols.sandboxes.updateOne({ _id: sandbox._id, status: 'creating' }, { $set: { status: 'ready' } });
    return { ...sandbox, status: 'ready' };
  }

  /** `adminPartnerId`'s ready sandboxes, oldest first. */
  listReady(adminPartnerId: string): Promise<SandboxDoc[]> {
    return this.cols.sandboxes.find({ adminPartnerId, status: 'ready' }, { sort: { createdAt: 1, _id: 1 } }).toArray();
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
      { _id: sandboxId, adminPartnerId, status: { $in: ['ready', 'deleting'] } },
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

  /** Idempotent: every step deletes what is left, so a rerun after a crash finishes the job. */
  private async remove(sandbox: SandboxDoc): Promise<void> {
    const { partnerId } = sandbox;
    await this.cols.partners.deleteOne({ _id: partnerId, sandboxAdminId: sandbox.adminPartnerId });
    const customerIds = await this.cols.customers.distinct('_id', { partnerId });
    await this.cols.locks.deleteMany({ _id: { $in: [partnerLockKey(partnerId), ...customerIds.map(customerLockKey)] } });
    for (const name of TENANT_COLLECTIONS) {
      await (this.cols[name] as unknown as Collection<{ partnerId: string }>).deleteMany({ partnerId });
    }
    await this.cols.clock.deleteOne({ _id: partnerId });
    await this.cols.sandboxes.deleteOne({ _id: sandbox._id });
  }
}

/**
 * Sandbox snapshots' documents (docs/sandboxes.md, "Snapshots"): saving a tenant's documents and
 * clock under a name, finding and listing saved ones, and putting one back.
 *
 * A snapshot is one SandboxSnapshotDoc plus chunks of at most MAX_CHUNK_BYTES, each holding
 * documents of one tenant collection. It is written `writing` and marked `ready` last, so a crash
 * part-way leaves a `writing` snapshot that nothing uses and the purge removes. Every read here
 * filters by top-level equality, which FerretDB pushes down.
 */
import { randomUUID } from 'node:crypto';
import { BSON, type Collection, type Document } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { CustomerDoc, SandboxSnapshotChunkDoc, SandboxSnapshotDoc } from '../db/documents.js';
import { customerNameFields } from '../policy/customer-keys.js';
import type { WriteFaults } from '../write/deps.js';
import { isDuplicateKey } from '../write/mongo-errors.js';
import { TENANT_COLLECTIONS } from './sandbox.repository.js';

/** Well under the 16 MiB document limit of MongoDB and FerretDB. */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

/** A snapshot left `writing` longer than this was left by a crash: saving takes seconds at most. */
export const WRITING_GRACE_MS = 5 * 60_000;

type TenantCollection = Collection<Document & { partnerId: string }>;

export interface NewSnapshot {
  sandboxId: string;
  partnerId: string;
  name: string;
  createdAt: Date;
  clockNow: Date;
  /** The tenant is known to hold nothing (an EMPTY sandbox just made): nothing is read. */
  empty?: boolean;
}

export class SnapshotRepository {
  constructor(
    private readonly cols: Collections,
    private readonly faults?: WriteFaults,
  ) {}

  private tenant(name: string): TenantCollection {
    return this.cols[name as (typeof TENANT_COLLECTIONS)[number]] as unknown as TenantCollection;
  }

  /**
   * Saves every document `partnerId` owns as snapshot `name` of its sandbox, replacing an older
   * one of that name once the new one is `ready`. The caller keeps the tenant's writers out
   * (acquireTenant) or knows there are none yet (creation).
   */
  async save(input: NewSnapshot): Promise<SandboxSnapshotDoc> {
    const snapshot: SandboxSnapshotDoc = {
      _id: randomUUID(),
      sandboxId: input.sandboxId,
      name: input.name,
      status: 'writing',
      createdAt: input.createdAt,
      clockNow: input.clockNow,
      documentCount: 0,
    };
    await this.cols.sandboxSnapshots.insertOne(snapshot);
    const chunks: SandboxSnapshotChunkDoc[] = [];
    const read = input.empty
      ? TENANT_COLLECTIONS.map(() => [])
      : await Promise.all(TENANT_COLLECTIONS.map((name) => this.tenant(name).find({ partnerId: input.partnerId }).toArray()));
    TENANT_COLLECTIONS.forEach((name, i) => {
      let docs: Document[] = [];
      let bytes = 0;
      const flush = () => {
        if (docs.length === 0) return;
        chunks.push({ _id: `${snapshot._id}/${chunks.length}`, snapshotId: snapshot._id, collection: name, docs });
        docs = [];
        bytes = 0;
      };
      for (const doc of read[i]!) {
        const size = BSON.calculateObjectSize(doc);
        if (bytes + size > MAX_CHUNK_BYTES) flush();
        docs.push(doc);
        bytes += size;
        snapshot.documentCount++;
      }
      flush();
    });
    if (chunks.length > 0) await this.cols.sandboxSnapshotChunks.insertMany(chunks, { ordered: false });
    this.faults?.atSandboxStep?.('snapshot:chunks-written');
    await this.cols.sandboxSnapshots.updateOne({ _id: snapshot._id }, { $set: { status: 'ready', documentCount: snapshot.documentCount } });
    const older = await this.cols.sandboxSnapshots
      .find({ sandboxId: input.sandboxId, name: input.name }, { projection: { _id: 1 } })
      .toArray();
    await this.remove(older.map((s) => s._id).filter((id) => id !== snapshot._id));
    return { ...snapshot, status: 'ready' };
  }

  /** The newest `ready` snapshot `name` of `sandboxId`, or null. */
  async find(sandboxId: string, name: string): Promise<SandboxSnapshotDoc | null> {
    const found = await this.cols.sandboxSnapshots.find({ sandboxId, name }).toArray();
    return newestReady(found).get(name) ?? null;
  }

  /** `sandboxId`'s `ready` snapshots, one per name (the newest), oldest first. */
  async list(sandboxId: string): Promise<SandboxSnapshotDoc[]> {
    const found = await this.cols.sandboxSnapshots.find({ sandboxId }).toArray();
    return [...newestReady(found).values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  }

  /**
   * Replaces every document `partnerId` owns with snapshot `snapshot`'s and puts its clock back.
   * Idempotent (it deletes first, then inserts), so a restore interrupted anywhere is finished by
   * running it again. The caller keeps the tenant's writers and readers out while it runs.
   */
  async putBack(partnerId: string, snapshot: SandboxSnapshotDoc): Promise<void> {
    await Promise.all(TENANT_COLLECTIONS.map((name) => this.tenant(name).deleteMany({ partnerId })));
    this.faults?.atSandboxStep?.('restore:deleted');
    const chunks = await this.cols.sandboxSnapshotChunks.find({ snapshotId: snapshot._id }).toArray();
    for (const [i, chunk] of chunks.entries()) {
      try {
        await this.tenant(chunk.collection).insertMany(current(chunk), { ordered: false });
      } catch (error) {
        // Only after a crash that a second restore raced: the same documents, already in.
        if (!isDuplicateKey(error)) throw error;
      }
      if (i === 0) this.faults?.atSandboxStep?.('restore:first-chunk');
    }
    // A new version, so that a clock advance that read the old one cannot move the restored clock.
    await this.cols.clock.updateOne(
      { _id: partnerId },
      { $set: { now: snapshot.clockNow, updatedAt: new Date() }, $inc: { version: 1 } },
      { upsert: true },
    );
  }

  /** Removes snapshots (and their chunks) by ID. */
  async remove(snapshotIds: readonly string[]): Promise<void> {
    await Promise.all(
      snapshotIds.map(async (id) => {
        await this.cols.sandboxSnapshots.updateOne({ _id: id }, { $set: { status: 'writing' } });
        await this.cols.sandboxSnapshotChunks.deleteMany({ snapshotId: id });
        await this.cols.sandboxSnapshots.deleteOne({ _id: id });
      }),
    );
  }

  /** Removes every snapshot of `sandboxId`. */
  async removeAll(sandboxId: string): Promise<void> {
    const all = await this.cols.sandboxSnapshots.find({ sandboxId }, { projection: { _id: 1 } }).toArray();
    await this.remove(all.map((s) => s._id));
  }

  /** Removes snapshots a crash left `writing` for longer than WRITING_GRACE_MS; returns how many. */
  async purgeUnfinished(now: Date): Promise<number> {
    const writing = await this.cols.sandboxSnapshots.find({ status: 'writing' }).toArray();
    const stale = writing.filter((s) => s.createdAt.getTime() <= now.getTime() - WRITING_GRACE_MS);
    await this.remove(stale.map((s) => s._id));
    return stale.length;
  }
}

/** The newest `ready` snapshot of each name. */
function newestReady(snapshots: readonly SandboxSnapshotDoc[]): Map<string, SandboxSnapshotDoc> {
  const byName = new Map<string, SandboxSnapshotDoc>();
  for (const s of snapshots) {
    if (s.status !== 'ready') continue;
    const kept = byName.get(s.name);
    if (!kept || kept.createdAt < s.createdAt) byName.set(s.name, s);
  }
  return byName;
}

/**
 * A chunk's documents as this version stores them: a snapshot taken before customers carried
 * their search tokens (docs/database.md, "Customer reads by equality") gets them on the way back,
 * or its customers would be found by no search after a restore.
 */
function current(chunk: SandboxSnapshotChunkDoc): (Document & { partnerId: string })[] {
  const docs = chunk.docs as (Document & { partnerId: string })[];
  if (chunk.collection !== 'customers') return docs;
  return docs.map((doc) => {
    const customer = doc as unknown as CustomerDoc;
    if (Array.isArray(customer.searchPrefixes)) return doc;
    return { ...doc, searchPrefixes: customerNameFields(customer.companyName, customer.domain).searchPrefixes };
  });
}

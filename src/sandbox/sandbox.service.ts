/**
 * Test sandboxes (docs/sandboxes.md): who may administer them (SANDBOX-ADMIN), the quota
 * (SANDBOX-QUOTA), the time to live, and their tokens. Long-lived, built once by the composition
 * root with the configuration; every request's context carries it as `sandboxes`.
 */
import { randomUUID } from 'node:crypto';
import type { Collections } from '../db/collections.js';
import type { PartnerDoc, PartnerRole, PartnerType, SandboxDoc, SandboxSnapshotDoc } from '../db/documents.js';
import { AuthenticationError } from '../shared/auth.js';
import type { Caller } from '../shared/caller.js';
import { ttlMs, type Config } from '../shared/config.js';
import { badUserInput, ClientError, forbidden, notFound, SANDBOX_BUSY_RETRY_SECONDS, sandboxBusy } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { mintToken } from '../shared/tokens.js';
import { LOCK_WAIT_MS, uniqueHolder, type WriteDeps } from '../write/deps.js';
import { acquireTenant, releaseTenant } from '../write/tenant-lock.js';
import { SandboxRepository, sandboxPartnerDoc } from './sandbox.repository.js';
import { SnapshotRepository } from './snapshot.repository.js';

/** The snapshot createSandbox takes of the new world, which resetSandbox restores. */
export const INITIAL_SNAPSHOT = 'initial';
/** Snapshot names: what a test would call a state, safe in logs and messages. */
export const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
/** Names one sandbox may keep snapshots under, `initial` included. */
export const MAX_SNAPSHOTS_PER_SANDBOX = 20;
import { planWorld, writeWorld, type SandboxTemplate, type SandboxWorlds } from './templates.js';

/** The earliest and latest instant a sandbox's clock may start at. */
export const CLOCK_START_RANGE = { min: new Date('2000-01-01T00:00:00.000Z'), max: new Date('2100-01-01T00:00:00.000Z') } as const;
export const MAX_SANDBOX_NAME_LENGTH = 100;

export interface SandboxRequest {
  name: string;
  partnerType: PartnerType;
  /** Null: SIMULATION_CLOCK_START. */
  clockStart: Date | null;
  roles: readonly PartnerRole[];
  /** Null: SANDBOX_TTL_DEFAULT. */
  ttl: string | null;
  template: SandboxTemplate;
  /** GENERATED only (templates.ts). */
  customers: number | null;
  /** GENERATED only (templates.ts). */
  seed: string | null;
}

export interface SandboxToken {
  roles: PartnerRole[];
  token: string;
  expiresAt: Date;
}

export class SandboxService {
  readonly repository: SandboxRepository;
  readonly snapshots: SnapshotRepository;
  private readonly collections: Collections;
  private readonly log: Logger | undefined;
  /** Sandboxes whose interrupted restore this process is finishing, so the gate starts one at a time. */
  private readonly finishing = new Set<string>();

  constructor(
    private readonly write: Pick<WriteDeps, 'collections' | 'log' | 'lockLeaseMs' | 'faults' | 'holderId'>,
    readonly config: Pick<Config, 'sandbox' | 'mode' | 'authSecret' | 'clockStart'>,
    /** The seeder's worlds for the DEMO and GENERATED templates; without them, EMPTY only. */
    private readonly worlds?: SandboxWorlds,
  ) {
    this.collections = write.collections;
    this.log = write.log;
    this.snapshots = new SnapshotRepository(write.collections, write.faults);
    this.repository = new SandboxRepository(write.collections, this.snapshots, {
      lockLeaseMs: this.leaseMs,
      lockWaitMs: LOCK_WAIT_MS,
    });
  }

  private get leaseMs(): number {
    return this.write.lockLeaseMs ?? 30_000;
  }

  /**
   * The gate, run for every request of a sandbox's partner before anything else: only a `ready`
   * sandbox's callers are let in. A deleted, expiring or half-made one answers UNAUTHENTICATED
   * like any unknown partner (its partner may still sit in an instance's memory for
   * PARTNER_CACHE_MS); one being restored answers SANDBOX_BUSY (HTTP 503, Retry-After), and if
   * its restorer died, this request starts finishing it.
   */
  async admit(partner: PartnerDoc, now: Date = new Date()): Promise<void> {
    if (partner.sandboxAdminId === undefined) return;
    const sandbox = await this.repository.findByPartner(partner._id);
    if (sandbox === null || sandbox.status === 'creating' || sandbox.status === 'deleting' || sandbox.expiresAt <= now) {
      throw new AuthenticationError(`sandbox partner ${partner._id} is ${sandbox ? sandbox.status : 'deleted'}`);
    }
    if (sandbox.status === 'restoring') {
      if (sandbox.restoring && sandbox.restoring.leaseUntil < now) void this.finishStaleRestore(sandbox._id);
      throw sandboxBusy(`Sandbox '${sandbox.name}' is being restored; retry in a moment`);
    }
  }

  /**
   * SANDBOX-ADMIN: a global admin of a partner that is not itself a sandbox's, listed in
   * SANDBOX_ADMINS; with SANDBOX_ADMINS unset, any such partner in development and none in
   * production. Throws FORBIDDEN with the rule otherwise.
   */
  assertAdmin(caller: Caller): void {
    const refuse = (message: string) => forbidden({ rule: 'SANDBOX-ADMIN', message });
    if (caller.partner.sandboxAdminId !== undefined) {
      throw refuse("A sandbox's own tokens cannot administer sandboxes; call as the partner that created this sandbox.");
    }
    const { admins } = this.config.sandbox;
    if (admins === null && this.config.mode === 'production') {
      throw refuse('Sandboxes are off in production unless SANDBOX_ADMINS lists the partners that may administer them.');
    }
    if (admins !== null && !admins.includes(caller.partner._id)) {
      throw refuse('To administer sandboxes your partner must be listed in SANDBOX_ADMINS; it is not.');
    }
    if (!caller.roles.includes('global_admin')) {
      const held = caller.roles.length === 0 ? 'no role' : `the roles ${caller.roles.join(', ')}`;
      throw refuse(`To administer sandboxes you need the role global_admin; the caller has ${held}.`);
    }
  }

  /** Validates everything before writing anything, so that bad input leaves nothing half-created. */
  async create(caller: Caller, input: SandboxRequest): Promise<{ sandbox: SandboxDoc; tokens: SandboxToken[] }> {
    this.assertAdmin(caller);
    const name = input.name.trim();
    if (name.length === 0 || name.length > MAX_SANDBOX_NAME_LENGTH) {
      throw badUserInput(`Argument 'input.name' must be 1 to ${MAX_SANDBOX_NAME_LENGTH} characters, but got ${name.length}`, {
        argumentName: 'input.name',
      });
    }
    const clockStart = input.clockStart ?? this.config.clockStart;
    if (clockStart < CLOCK_START_RANGE.min || clockStart >= CLOCK_START_RANGE.max) {
      throw badUserInput(
        `Argument 'input.clockStart' must be an instant from ${CLOCK_START_RANGE.min.toISOString()} to before ${CLOCK_START_RANGE.max.toISOString()}, but got ${clockStart.toISOString()}`,
        { argumentName: 'input.clockStart' },
      );
    }
    const { maxTtl, defaultTtl, maxPerAdmin } = this.config.sandbox;
    const ttl = input.ttl ?? defaultTtl;
    const lifeMs = ttlMs(ttl);
    if (lifeMs === null || lifeMs > ttlMs(maxTtl)!) {
      throw badUserInput(
        `Argument 'input.ttl' must be a positive ISO-8601 duration in weeks, days, hours, minutes or seconds of at most ${maxTtl} (SANDBOX_TTL_MAX), such as 'PT2H', but got '${ttl.slice(0, 40)}'`,
        { argumentName: 'input.ttl' },
      );
    }
    if (input.roles.length === 0) {
      throw badUserInput("Argument 'input.roles' must list at least one role for the sandbox's token, but got none", {
        argumentName: 'input.roles',
      });
    }
    const world = planWorld(input, this.config.sandbox.maxCustomers, this.worlds);
    const admin = caller.partner._id;
    const sandboxId = randomUUID();
    // One insert, not a count: creation costs the same with 1 or 1,000 sandboxes present. When
    // every place is held, expired sandboxes give theirs back first.
    let place = await this.repository.takePlace(admin, sandboxId, maxPerAdmin, new Date());
    if (place === null) {
      await this.purge();
      place = await this.repository.takePlace(admin, sandboxId, maxPerAdmin, new Date());
      if (place === null) {
        throw new ClientError(
          'FORBIDDEN',
          `Your partner already holds ${maxPerAdmin} sandboxes, the most SANDBOX_MAX_PER_ADMIN allows: delete one (deleteSandbox) or wait for one to expire`,
          { rule: 'SANDBOX-QUOTA' },
        );
      }
    }
    const now = new Date();
    const taken = place;
    const begun = await this.repository
      .begin(sandboxId, taken, {
        name,
        partnerType: input.partnerType,
        adminPartnerId: admin,
        clockStart,
        createdAt: now,
        expiresAt: new Date(now.getTime() + lifeMs),
        template: world.template,
        seed: world.seed,
        customerCount: world.customers,
      })
      .catch(async (error: unknown) => {
        await this.repository.givePlace({ _id: sandboxId, adminPartnerId: admin, place: taken });
        throw error;
      });
    await this.repository.writePartner(begun);
    if (world.template !== 'empty') {
      try {
        const request = { partner: sandboxPartnerDoc(begun), seed: world.seed, customers: world.customers, now: clockStart };
        await writeWorld(this.collections, world.worlds, request);
      } catch (error) {
        // Nothing half-created stays: the purge would remove it too, but only after CREATING_GRACE_MS.
        await this.repository
          .discard(begun)
          .catch((cleanup: unknown) => this.log?.warn('sandbox', 'discarding a failed sandbox failed; the purge removes it', cleanup));
        throw error;
      }
    }
    await this.snapshots.save({
      sandboxId: begun._id,
      partnerId: begun.partnerId,
      name: INITIAL_SNAPSHOT,
      createdAt: now,
      clockNow: begun.clockStart,
      empty: world.template === 'empty',
    });
    const sandbox = await this.repository.markReady(begun);
    return { sandbox, tokens: [await this.token(sandbox, input.roles, sandbox.expiresAt)] };
  }

  /** A token for `roles` of the sandbox's partner, valid until `expiresAt` (at most the sandbox's end). */
  private async token(sandbox: SandboxDoc, roles: readonly PartnerRole[], expiresAt: Date): Promise<SandboxToken> {
    const distinct = [...new Set(roles)];
    const until = expiresAt < sandbox.expiresAt ? expiresAt : sandbox.expiresAt;
    const token = await mintToken({
      secret: this.config.authSecret,
      partnerId: sandbox.partnerId,
      userId: `${sandbox.partnerId}/sandbox-user`,
      roles: distinct,
      expiresIn: Math.max(1, Math.floor(until.getTime() / 1000) - Math.floor(Date.now() / 1000)),
    });
    return { roles: distinct, token, expiresAt: until };
  }

  /** Another token for one of the caller's sandboxes: other roles, or a shorter life. */
  async mintToken(
    caller: Caller,
    input: { sandboxId: string; roles: readonly PartnerRole[]; ttl: string | null },
  ): Promise<{ sandbox: SandboxDoc; token: SandboxToken }> {
    this.assertAdmin(caller);
    if (input.roles.length === 0) {
      throw badUserInput("Argument 'input.roles' must list at least one role for the token, but got none", { argumentName: 'input.roles' });
    }
    let lifeMs: number | null = null;
    if (input.ttl !== null) {
      lifeMs = ttlMs(input.ttl);
      if (lifeMs === null) {
        throw badUserInput(
          `Argument 'input.ttl' must be a positive ISO-8601 duration in weeks, days, hours, minutes or seconds, such as 'PT1H', but got '${input.ttl.slice(0, 40)}'`,
          { argumentName: 'input.ttl' },
        );
      }
    }
    const sandbox = await this.owned(caller, input.sandboxId);
    const expiresAt = lifeMs === null ? sandbox.expiresAt : new Date(Date.now() + lifeMs);
    return { sandbox, token: await this.token(sandbox, input.roles, expiresAt) };
  }

  /** The caller's sandbox `sandboxId` (ready or being restored), or NOT_FOUND. */
  private async owned(caller: Caller, sandboxId: string): Promise<SandboxDoc> {
    const sandbox = await this.repository.findOwned(sandboxId, caller.partner._id);
    if (!sandbox) throw notFound('sandbox', sandboxId.slice(0, 60));
    return sandbox;
  }

  /** The caller's sandbox's snapshots, one per name, oldest first. */
  listSnapshots(sandboxId: string): Promise<SandboxSnapshotDoc[]> {
    return this.snapshots.list(sandboxId);
  }

  /**
   * Saves the sandbox's whole state (every document its partner owns, and its clock) under
   * `name`, replacing an older snapshot of that name. Holds every lock of the tenant meanwhile,
   * so no operation or clock advance is half-way in it; reads go on.
   */
  async snapshot(
    caller: Caller,
    input: { sandboxId: string; name: string; dryRun?: boolean },
  ): Promise<{ sandbox: SandboxDoc; snapshot: SandboxSnapshotDoc | null }> {
    this.assertAdmin(caller);
    const name = input.name.trim();
    if (!SNAPSHOT_NAME.test(name) || name === INITIAL_SNAPSHOT) {
      throw badUserInput(
        `Argument 'input.name' must be 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit, and not '${INITIAL_SNAPSHOT}' (createSandbox's own, which resetSandbox restores), but got '${name.slice(0, 70)}'`,
        { argumentName: 'input.name' },
      );
    }
    const sandbox = await this.owned(caller, input.sandboxId);
    if (sandbox.status !== 'ready') throw conflict(`Sandbox '${sandbox.name}' is being restored; retry in a moment`);
    const existing = await this.snapshots.list(sandbox._id);
    if (!existing.some((s) => s.name === name) && existing.length >= MAX_SNAPSHOTS_PER_SANDBOX) {
      throw new ClientError(
        'FORBIDDEN',
        `Sandbox '${sandbox.name}' already keeps ${existing.length} snapshots, the most one sandbox may (${MAX_SNAPSHOTS_PER_SANDBOX}, '${INITIAL_SNAPSHOT}' included): save under an existing name to replace it`,
        { rule: 'SANDBOX-QUOTA' },
      );
    }
    if (input.dryRun) return { sandbox, snapshot: null };
    const holder = uniqueHolder(this.write);
    const lease = await acquireTenant(this.collections, sandbox.partnerId, holder, { leaseMs: this.leaseMs, waitMs: LOCK_WAIT_MS });
    if (lease === null) throw tenantBusy(sandbox);
    try {
      const clock = await this.collections.clock.findOne({ _id: sandbox.partnerId });
      const snapshot = await this.snapshots.save({
        sandboxId: sandbox._id,
        partnerId: sandbox.partnerId,
        name,
        createdAt: new Date(),
        clockNow: clock?.now ?? sandbox.clockStart,
      });
      return { sandbox, snapshot };
    } finally {
      await releaseTenant(this.collections, lease);
    }
  }

  /**
   * Brings the sandbox back to snapshot `name` (`initial`: as created). Marked `restoring` first,
   * so its own callers wait (SANDBOX_BUSY) rather than see a mixture; holds every lock of the
   * tenant, so nothing let in before is writing. A crash part-way leaves it `restoring`: the next
   * caller or purge after the lease finishes it from the snapshot (old state or new, never both).
   */
  async restore(
    caller: Caller,
    input: { sandboxId: string; snapshot: string; dryRun?: boolean },
  ): Promise<{ sandbox: SandboxDoc; snapshot: SandboxSnapshotDoc }> {
    this.assertAdmin(caller);
    const sandbox = await this.owned(caller, input.sandboxId);
    const name = input.snapshot.trim();
    const snapshot = await this.snapshots.find(sandbox._id, name);
    if (!snapshot) {
      const names = (await this.snapshots.list(sandbox._id)).map((s) => `'${s.name}'`);
      throw new ClientError(
        'NOT_FOUND',
        `Sandbox '${sandbox.name}' has no snapshot named '${name.slice(0, 70)}'; it has ${names.join(', ')}`,
        { kind: 'snapshot', id: name.slice(0, 70), argumentName: 'input', field: 'input.snapshot' },
      );
    }
    if (input.dryRun) return { sandbox, snapshot };
    const holder = uniqueHolder(this.write);
    const begun = await this.repository.beginRestore(sandbox._id, {
      snapshotId: snapshot._id,
      holder,
      leaseUntil: new Date(Date.now() + this.leaseMs),
    });
    if (!begun) throw conflict(`Sandbox '${sandbox.name}' is being restored or deleted; retry in a moment`);
    const lease = await acquireTenant(this.collections, sandbox.partnerId, holder, { leaseMs: this.leaseMs, waitMs: LOCK_WAIT_MS });
    if (lease === null) {
      await this.repository.endRestore(sandbox._id, holder);
      throw tenantBusy(sandbox);
    }
    try {
      await this.repository.noteRestoreLocks(sandbox._id, holder, lease.keys);
      await this.snapshots.putBack(sandbox.partnerId, snapshot);
      await this.repository.endRestore(sandbox._id, holder);
    } finally {
      await releaseTenant(this.collections, lease);
    }
    return { sandbox: { ...begun, status: 'ready' }, snapshot };
  }

  /**
   * Finishes a restore whose holder died (its lease expired): takes the restore over, waits for
   * the tenant's locks, puts the named snapshot back and marks the sandbox `ready`. Never throws.
   */
  async finishStaleRestore(sandboxId: string): Promise<void> {
    if (this.finishing.has(sandboxId)) return;
    this.finishing.add(sandboxId);
    const holder = uniqueHolder(this.write);
    try {
      const taken = await this.repository.takeOverRestore(sandboxId, new Date(), holder, new Date(Date.now() + this.leaseMs));
      if (!taken?.restoring) return;
      const snapshot = await this.collections.sandboxSnapshots.findOne({ _id: taken.restoring.snapshotId });
      const lease = await acquireTenant(this.collections, taken.partnerId, holder, { leaseMs: this.leaseMs, waitMs: LOCK_WAIT_MS });
      if (lease === null) return;
      try {
        // Its snapshot is gone only if the sandbox is being deleted: then there is nothing to finish.
        if (snapshot) await this.snapshots.putBack(taken.partnerId, snapshot);
        await this.repository.endRestore(sandboxId, holder);
        this.log?.warn('sandbox', `finished the restore of sandbox ${sandboxId} that a crashed instance left half-way`);
      } finally {
        await releaseTenant(this.collections, lease);
      }
    } catch (error) {
      this.log?.warn('sandbox', `finishing the interrupted restore of sandbox ${sandboxId} failed; the next purge tries again`, error);
    } finally {
      this.finishing.delete(sandboxId);
    }
  }

  /** With `dryRun`, only finds the sandbox: the same NOT_FOUND, nothing deleted. */
  async delete(caller: Caller, sandboxId: string, dryRun = false): Promise<SandboxDoc> {
    this.assertAdmin(caller);
    const deleted = dryRun
      ? await this.repository.findReady(sandboxId, caller.partner._id)
      : await this.repository.deleteOwned(sandboxId, caller.partner._id);
    if (!deleted) throw notFound('sandbox', sandboxId.slice(0, 60));
    return deleted;
  }

  list(caller: Caller): Promise<SandboxDoc[]> {
    this.assertAdmin(caller);
    return this.repository.listLive(caller.partner._id);
  }

  /** Deletes expired sandboxes and those a crash left half-way; never throws (logs instead). */
  async purge(now: Date = new Date()): Promise<number> {
    try {
      for (const stale of await this.repository.listStaleRestores(now)) await this.finishStaleRestore(stale._id);
      await this.snapshots.purgeUnfinished(now);
      const purged = await this.repository.purge(now);
      await this.repository.purgeOrphanPlaces(now);
      if (purged > 0) this.log?.info('sandbox', `purged ${purged} expired or unfinished sandbox${purged === 1 ? '' : 'es'}`);
      return purged;
    } catch (error) {
      this.log?.warn('sandbox', 'purging expired sandboxes failed; the next purge tries again', error);
      return 0;
    }
  }
}

/** An administrator's sandbox operation that cannot start now: CONFLICT, retry later. */
function conflict(message: string): ClientError {
  return new ClientError('CONFLICT', message, { retryAfterSeconds: SANDBOX_BUSY_RETRY_SECONDS });
}

function tenantBusy(sandbox: SandboxDoc): ClientError {
  return conflict(
    `Sandbox '${sandbox.name}' has an operation or clock advance running that did not finish within ${LOCK_WAIT_MS / 1000} s; retry when it has`,
  );
}

declare module '../shared/context.js' {
  interface Context {
    /** Test sandboxes (src/sandbox/): the one long-lived service, over unbudgeted collections. */
    sandboxes: SandboxService;
  }
}

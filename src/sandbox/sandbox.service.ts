/**
 * Test sandboxes (docs/sandboxes.md): who may administer them (SANDBOX-ADMIN), the quota
 * (SANDBOX-QUOTA), the time to live, and their tokens. Long-lived, built once by the composition
 * root with the configuration; every request's context carries it as `sandboxes`.
 */
import type { Collections } from '../db/collections.js';
import type { PartnerRole, PartnerType, SandboxDoc } from '../db/documents.js';
import type { Caller } from '../shared/caller.js';
import { ttlMs, type Config } from '../shared/config.js';
import { badUserInput, ClientError, forbidden, notFound } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { mintToken } from '../shared/tokens.js';
import { SandboxRepository } from './sandbox.repository.js';

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
}

export interface SandboxToken {
  roles: PartnerRole[];
  token: string;
  expiresAt: Date;
}

export class SandboxService {
  readonly repository: SandboxRepository;

  constructor(
    collections: Collections,
    readonly config: Pick<Config, 'sandbox' | 'mode' | 'authSecret' | 'clockStart'>,
    private readonly log?: Logger,
  ) {
    this.repository = new SandboxRepository(collections);
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
    // Expired sandboxes free their places before the quota is counted.
    await this.purge();
    const now = new Date();
    const begun = await this.repository.begin({
      name,
      partnerType: input.partnerType,
      adminPartnerId: caller.partner._id,
      clockStart,
      createdAt: now,
      expiresAt: new Date(now.getTime() + lifeMs),
    });
    // Counted after this one is recorded, so that concurrent creations can never exceed the quota together.
    if ((await this.repository.countHeld(caller.partner._id)) > maxPerAdmin) {
      await this.repository.deleteBegun(begun._id);
      throw new ClientError(
        'FORBIDDEN',
        `Your partner already holds ${maxPerAdmin} sandboxes, the most SANDBOX_MAX_PER_ADMIN allows: delete one (deleteSandbox) or wait for one to expire`,
        { rule: 'SANDBOX-QUOTA' },
      );
    }
    const sandbox = await this.repository.complete(begun);
    const roles = [...new Set(input.roles)];
    const token = await mintToken({
      secret: this.config.authSecret,
      partnerId: sandbox.partnerId,
      userId: `${sandbox.partnerId}/sandbox-user`,
      roles,
      expiresIn: Math.floor(sandbox.expiresAt.getTime() / 1000) - Math.floor(Date.now() / 1000),
    });
    return { sandbox, tokens: [{ roles, token, expiresAt: sandbox.expiresAt }] };
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
    return this.repository.listReady(caller.partner._id);
  }

  /** Deletes expired sandboxes and those a crash left half-way; never throws (logs instead). */
  async purge(now: Date = new Date()): Promise<number> {
    try {
      const purged = await this.repository.purge(now);
      if (purged > 0) this.log?.info('sandbox', `purged ${purged} expired or unfinished sandbox${purged === 1 ? '' : 'es'}`);
      return purged;
    } catch (error) {
      this.log?.warn('sandbox', 'purging expired sandboxes failed; the next purge tries again', error);
      return 0;
    }
  }
}

declare module '../shared/context.js' {
  interface Context {
    /** Test sandboxes (src/sandbox/): the one long-lived service, over unbudgeted collections. */
    sandboxes: SandboxService;
  }
}

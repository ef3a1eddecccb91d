import { describe, expect, it } from 'vitest';
import type { Collections } from '../../src/db/collections.js';
import type { PartnerDoc, PartnerRole } from '../../src/db/documents.js';
import { SandboxService } from '../../src/sandbox/sandbox.service.js';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';

/* SANDBOX-ADMIN (docs/sandboxes.md, "Who may"): who may administer sandboxes, by mode and SANDBOX_ADMINS. */

const CONTOSO = '4a1f0c3e-0000-4000-8000-00000000c0de';
const FABRIKAM = '4a1f0c3e-0000-4000-8000-00000000fab1';
const SECRET = 'a-production-secret-of-at-least-thirty-two-bytes';

function partner(id: string, sandboxAdminId?: string): PartnerDoc {
  return {
    _id: id,
    name: id,
    partnerType: 'direct_bill',
    mpnId: id,
    indirectProviderId: null,
    createdAt: new Date(0),
    ...(sandboxAdminId ? { sandboxAdminId } : {}),
  };
}

/** The FORBIDDEN rule and message assertAdmin answers for `caller` under `env`, or null when allowed. */
function refusal(
  env: Record<string, string>,
  caller: { partner: PartnerDoc; roles: PartnerRole[] },
): { rule: unknown; message: string } | null {
  const service = new SandboxService({ collections: {} as Collections, log: createLogger('silent') }, loadConfig(env));
  try {
    service.assertAdmin({ ...caller, userId: 'u' });
    return null;
  } catch (error) {
    const e = error as { message: string; extensions: Record<string, unknown> };
    expect(e.extensions.code).toBe('FORBIDDEN');
    return { rule: e.extensions.rule, message: e.message };
  }
}

const PRODUCTION = { NODE_ENV: 'production', AUTH_SECRET: SECRET };

describe('SANDBOX-ADMIN', () => {
  it('SANDBOX-ADMIN: in development any non-sandbox partner’s global admin administers sandboxes; other roles do not', () => {
    expect(refusal({}, { partner: partner(CONTOSO), roles: ['global_admin'] })).toBeNull();
    expect(refusal({}, { partner: partner(CONTOSO), roles: ['admin_agent'] })).toEqual({
      rule: 'SANDBOX-ADMIN',
      message: 'To administer sandboxes you need the role global_admin; the caller has the roles admin_agent.',
    });
  });

  it('SANDBOX-ADMIN: a sandbox’s own partner never administers sandboxes, whatever its roles or SANDBOX_ADMINS', () => {
    const sandbox = partner(FABRIKAM, CONTOSO);
    expect(refusal({}, { partner: sandbox, roles: ['global_admin'] })?.message).toContain(
      "A sandbox's own tokens cannot administer sandboxes",
    );
    expect(refusal({ SANDBOX_ADMINS: FABRIKAM }, { partner: sandbox, roles: ['global_admin'] })?.rule).toBe('SANDBOX-ADMIN');
  });

  it('SANDBOX-ADMIN: in production sandboxes are off unless SANDBOX_ADMINS lists the caller’s partner', () => {
    expect(refusal(PRODUCTION, { partner: partner(CONTOSO), roles: ['global_admin'] })?.message).toContain(
      'Sandboxes are off in production unless SANDBOX_ADMINS',
    );
    const configured = { ...PRODUCTION, SANDBOX_ADMINS: CONTOSO };
    expect(refusal(configured, { partner: partner(CONTOSO), roles: ['global_admin'] })).toBeNull();
    expect(refusal(configured, { partner: partner(FABRIKAM), roles: ['global_admin'] })?.message).toContain(
      'must be listed in SANDBOX_ADMINS',
    );
    expect(refusal(configured, { partner: partner(CONTOSO), roles: ['billing_admin'] })?.rule).toBe('SANDBOX-ADMIN');
  });

  it('SANDBOX-ADMIN: in development SANDBOX_ADMINS, when set, limits sandboxes to the partners it lists', () => {
    expect(refusal({ SANDBOX_ADMINS: FABRIKAM }, { partner: partner(CONTOSO), roles: ['global_admin'] })?.rule).toBe('SANDBOX-ADMIN');
    expect(refusal({ SANDBOX_ADMINS: FABRIKAM }, { partner: partner(FABRIKAM), roles: ['global_admin'] })).toBeNull();
  });
});

import type { Collection } from 'mongodb';
import { describe, expect, it, vi } from 'vitest';
import type { PartnerDoc } from '../../src/db/documents.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { AUTH_FAILURE_MESSAGE, createAuthenticator, HeaderAuthenticator, parseRoles, TokenAuthenticator } from '../../src/shared/auth.js';
import { ConfigError, DEVELOPMENT_AUTH_SECRET, loadConfig } from '../../src/shared/config.js';
import { mintToken } from '../../src/shared/tokens.js';
import { ClientError } from '../../src/shared/errors.js';
import { partners } from '../support/fixtures.js';

const ALL_ROLES = [
  'admin_agent',
  'billing_admin',
  'global_admin',
  'helpdesk_agent',
  'sales_agent',
  'account_admin',
  'referral_admin',
  'marketing_content_admin',
  'user_management_admin',
];
const VALID_LIST = ALL_ROLES.join(', ');

/** Calls `fn`, expecting an UNAUTHENTICATED ClientError with HTTP 401; returns its message. */
async function unauthenticated(fn: () => unknown): Promise<string> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ClientError);
  expect((caught as ClientError).extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
  return (caught as ClientError).message;
}

describe('parseRoles', () => {
  it.each([undefined, '', '   '])('no roles header (%j) means no roles', (raw) => {
    expect(parseRoles(raw)).toEqual([]);
  });

  it.each([
    ['admin_agent', ['admin_agent']],
    ['ADMIN_AGENT', ['admin_agent']],
    ['admin-agent', ['admin_agent']],
    ['Admin agent', ['admin_agent']],
    ['Admin  Agent', ['admin_agent']],
    ['  Global Admin , helpdesk-agent ', ['global_admin', 'helpdesk_agent']],
    ['marketing content-admin', ['marketing_content_admin']],
    ['sales_agent,billing_admin', ['sales_agent', 'billing_admin']],
  ])('parseRoles accepts the documented spelling %j', (raw, roles) => {
    expect(parseRoles(raw)).toEqual(roles);
  });

  it('parseRoles accepts every role, in every documented spelling', () => {
    expect(parseRoles(ALL_ROLES.join(','))).toEqual(ALL_ROLES);
    expect(parseRoles(ALL_ROLES.map((r) => r.toUpperCase()).join(','))).toEqual(ALL_ROLES);
    expect(parseRoles(ALL_ROLES.map((r) => r.replaceAll('_', '-')).join(','))).toEqual(ALL_ROLES);
    expect(parseRoles(ALL_ROLES.map((r) => r.replaceAll('_', ' ')).join(','))).toEqual(ALL_ROLES);
  });

  it('a role named twice, in any spelling, is listed once', () => {
    expect(parseRoles('admin_agent, Admin agent, ADMIN-AGENT, global_admin')).toEqual(['admin_agent', 'global_admin']);
  });

  it('parseRoles rejects an unknown role as UNAUTHENTICATED naming the valid roles and the unknown one', async () => {
    expect(await unauthenticated(() => parseRoles('superuser'))).toBe(
      `Header X-Partner-Roles must list roles from ${VALID_LIST}, but got 'superuser'`,
    );
  });

  it('parseRoles names every unknown role of a list, and only those', async () => {
    expect(await unauthenticated(() => parseRoles('admin_agent, Root, god mode'))).toBe(
      `Header X-Partner-Roles must list roles from ${VALID_LIST}, but got 'root, god_mode'`,
    );
  });

  it.each(['admin', 'adminagent', 'admin_agent_', 'admin.agent', 'global admin agent'])(
    'parseRoles rejects the near miss %j',
    async (raw) => {
      expect(await unauthenticated(() => parseRoles(raw))).toMatch(/^Header X-Partner-Roles must list roles from /);
    },
  );
});

/** A partners collection stand-in that answers findOne by _id from the demo partners. */
function partnersCollection(): { collection: Collection<PartnerDoc>; lookups: unknown[] } {
  const lookups: unknown[] = [];
  const docs = partners();
  const collection = {
    findOne: async (filter: { _id: string }) => {
      lookups.push(filter);
      return docs.find((p) => p._id === filter._id) ?? null;
    },
  } as unknown as Collection<PartnerDoc>;
  return { collection, lookups };
}

describe('HeaderAuthenticator', () => {
  function authenticator(): { auth: HeaderAuthenticator; lookups: unknown[] } {
    const { collection, lookups } = partnersCollection();
    return { auth: new HeaderAuthenticator(collection), lookups };
  }

  it('X-Partner-Id, X-Partner-Roles and X-User-Id make the caller; the partner ID is matched in lower case', async () => {
    const { auth, lookups } = authenticator();
    const caller = await auth.authenticate({
      'x-partner-id': ` ${DEMO_PARTNERS.contoso.id.toUpperCase()} `,
      'x-partner-roles': 'Global Admin',
      'x-user-id': ' alice ',
    });
    expect(lookups).toEqual([{ _id: DEMO_PARTNERS.contoso.id }]);
    expect(caller.partner._id).toBe(DEMO_PARTNERS.contoso.id);
    expect(caller.roles).toEqual(['global_admin']);
    expect(caller.userId).toBe('alice');
  });

  it('Authorization: Bearer <partner ID> names the partner when X-Partner-Id is absent; the user defaults to <partner>/user', async () => {
    const { auth } = authenticator();
    const caller = await auth.authenticate({ authorization: `bearer ${DEMO_PARTNERS.fabrikam.id}` });
    expect(caller.partner.name).toBe('Fabrikam Distribution');
    expect(caller.userId).toBe(`${DEMO_PARTNERS.fabrikam.id}/user`);
    expect(caller.roles).toEqual([]);
  });

  it('no partner header answers UNAUTHENTICATED without a database lookup', async () => {
    const { auth, lookups } = authenticator();
    expect(await unauthenticated(() => auth.authenticate({ authorization: 'Basic abc' }))).toBe(AUTH_FAILURE_MESSAGE);
    expect(lookups).toEqual([]);
  });

  it('an unknown role is refused before the partner is looked up', async () => {
    const { auth, lookups } = authenticator();
    expect(await unauthenticated(() => auth.authenticate({ 'x-partner-id': DEMO_PARTNERS.contoso.id, 'x-partner-roles': 'root' }))).toBe(
      AUTH_FAILURE_MESSAGE,
    );
    expect(lookups).toEqual([]);
  });

  it('an unknown partner answers the same UNAUTHENTICATED as every other failure (no enumeration)', async () => {
    const { auth } = authenticator();
    expect(await unauthenticated(() => auth.authenticate({ 'x-partner-id': 'nobody' }))).toBe(AUTH_FAILURE_MESSAGE);
  });
});

describe('TokenAuthenticator', () => {
  const secret = DEVELOPMENT_AUTH_SECRET;

  it('ROLE-TENANT: a token names one partner, the user and the roles', async () => {
    const { collection, lookups } = partnersCollection();
    const token = await mintToken({ secret, partnerId: DEMO_PARTNERS.fabrikam.id, userId: 'bob', roles: ['billing_admin'] });
    const caller = await new TokenAuthenticator(collection, secret).authenticate({ authorization: `Bearer ${token}` });
    expect(lookups).toEqual([{ _id: DEMO_PARTNERS.fabrikam.id }]);
    expect({ partner: caller.partner._id, userId: caller.userId, roles: caller.roles }).toEqual({
      partner: DEMO_PARTNERS.fabrikam.id,
      userId: 'bob',
      roles: ['billing_admin'],
    });
  });

  it('the user defaults to <partner>/user when minted without one', async () => {
    const { collection } = partnersCollection();
    const token = await mintToken({ secret, partnerId: DEMO_PARTNERS.contoso.id, roles: [] });
    expect((await new TokenAuthenticator(collection, secret).verify(token)).userId).toBe(`${DEMO_PARTNERS.contoso.id}/user`);
  });

  it('a bad token is refused before any database lookup', async () => {
    const { collection, lookups } = partnersCollection();
    const auth = new TokenAuthenticator(collection, secret);
    const expired = await mintToken({ secret, partnerId: DEMO_PARTNERS.contoso.id, roles: [], expiresIn: '-1s' });
    const wrongKey = await mintToken({ secret: 'x'.repeat(32), partnerId: DEMO_PARTNERS.contoso.id, roles: [] });
    for (const headers of [
      {},
      { authorization: `Bearer ${expired}` },
      { authorization: `Bearer ${wrongKey}` },
      { 'x-partner-id': DEMO_PARTNERS.contoso.id },
    ]) {
      expect(await unauthenticated(() => auth.authenticate(headers))).toBe(AUTH_FAILURE_MESSAGE);
    }
    expect(lookups).toEqual([]);
  });

  it('a verified token kept for reuse is still refused from the millisecond its exp passes', async () => {
    const { collection } = partnersCollection();
    const auth = new TokenAuthenticator(collection, secret);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const issued = new Date('2026-11-22T12:00:00.000Z');
      vi.setSystemTime(issued);
      const token = await mintToken({ secret, partnerId: DEMO_PARTNERS.contoso.id, roles: ['global_admin'], expiresIn: 60 });
      expect((await auth.verify(token)).roles).toEqual(['global_admin']);
      vi.setSystemTime(issued.getTime() + 59_999);
      expect((await auth.verify(token)).partner._id).toBe(DEMO_PARTNERS.contoso.id);
      vi.setSystemTime(issued.getTime() + 60_000);
      expect(await unauthenticated(() => auth.verify(token))).toBe(AUTH_FAILURE_MESSAGE);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a kept token still reads its partner each time: a partner that is gone is refused though the token was verified before', async () => {
    const known = new Map(partners().map((p) => [p._id, p]));
    const auth = new TokenAuthenticator({ find: async (id: string) => known.get(id) ?? null }, secret);
    const token = await mintToken({ secret, partnerId: DEMO_PARTNERS.contoso.id, roles: [] });
    expect((await auth.verify(token)).partner._id).toBe(DEMO_PARTNERS.contoso.id);
    known.delete(DEMO_PARTNERS.contoso.id);
    expect(await unauthenticated(() => auth.verify(token))).toBe(AUTH_FAILURE_MESSAGE);
  });

  it('a caller made from a kept token is its own copy: changing its roles does not change the next caller', async () => {
    const { collection } = partnersCollection();
    const auth = new TokenAuthenticator(collection, secret);
    const token = await mintToken({ secret, partnerId: DEMO_PARTNERS.contoso.id, roles: ['sales_agent'] });
    (await auth.verify(token)).roles.push('global_admin');
    expect((await auth.verify(token)).roles).toEqual(['sales_agent']);
  });
});

describe('createAuthenticator', () => {
  it('uses the development headers only when DEV_HEADER_AUTH is on', async () => {
    const { collection } = partnersCollection();
    const headers = { 'x-partner-id': DEMO_PARTNERS.contoso.id };
    const dev = createAuthenticator(loadConfig({}), collection);
    expect((await dev.authenticate(headers)).partner._id).toBe(DEMO_PARTNERS.contoso.id);
    const off = createAuthenticator(loadConfig({ DEV_HEADER_AUTH: 'false' }), collection);
    expect(await unauthenticated(() => off.authenticate(headers))).toBe(AUTH_FAILURE_MESSAGE);
  });

  it('production configuration never has the development headers', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_SECRET: 'p'.repeat(40), DEV_HEADER_AUTH: 'true' })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_SECRET: 'p'.repeat(40) }).devHeaderAuth).toBe(false);
  });
});

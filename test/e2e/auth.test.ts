import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerRole } from '../../src/db/documents.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { AUTH_FAILURE_MESSAGE } from '../../src/shared/auth.js';
import { AUTH_AUDIENCE, AUTH_ISSUER } from '../../src/shared/config.js';
import { mintToken, type MintTokenOptions } from '../../src/shared/tokens.js';
import { guid } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type TestGateway } from '../support/gateway.js';

const VIEWER = JSON.stringify({ query: '{ viewer { userId roles partner { id name } } }' });
/** The one body every authentication failure gets, byte for byte. */
const REFUSED = JSON.stringify({ errors: [{ message: AUTH_FAILURE_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] }) + '\n';
const OTHER_SECRET = 'a-different-secret-that-is-long-enough-0123456789';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let gw: TestGateway;
let noHeaders: TestGateway;
beforeAll(async () => {
  [gw, noHeaders] = await Promise.all([startTestGateway(), startTestGateway(undefined, { devHeaderAuth: false })]);
});
afterAll(async () => {
  await Promise.all([gw?.close(), noHeaders?.close()]);
});

const token = (gateway: TestGateway, overrides: Partial<MintTokenOptions> = {}) =>
  mintToken({ secret: gateway.authSecret, partnerId: DEMO_PARTNERS.contoso.id, userId: 'alice', roles: ['admin_agent'], ...overrides });

async function viewer(gateway: TestGateway, options: CallOptions) {
  const res = await gateway.post(VIEWER, options);
  return { status: res.status, text: res.text, body: JSON.parse(res.text) as { data?: unknown; errors?: unknown[] } };
}

describe('bearer tokens', () => {
  it.each([
    ['with the development headers on', () => gw],
    ['with the development headers off', () => noHeaders],
  ])('a valid token names the partner, the user and the roles (%s)', async (_label, gateway) => {
    const res = await viewer(gateway(), { token: await token(gateway(), { roles: ['global_admin', 'admin_agent'] }) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        viewer: {
          userId: 'alice',
          roles: ['GLOBAL_ADMIN', 'ADMIN_AGENT'],
          partner: { id: DEMO_PARTNERS.contoso.id, name: 'Contoso Cloud Services' },
        },
      },
    });
  });

  it('ROLE-TENANT: a token names one partner; the caller cannot act as another with X-Partner-Id', async () => {
    const res = await viewer(gw, {
      token: await token(gw, { partnerId: DEMO_PARTNERS.fabrikam.id }),
      partner: DEMO_PARTNERS.contoso.id,
      headers: { 'x-partner-roles': 'global_admin' },
    });
    expect(res.body).toMatchObject({ data: { viewer: { partner: { id: DEMO_PARTNERS.fabrikam.id }, roles: ['ADMIN_AGENT'] } } });
  });

  it('ROLE-TENANT: a token with no roles is still that partner, with no roles', async () => {
    const res = await viewer(noHeaders, { token: await token(noHeaders, { partnerId: DEMO_PARTNERS.tailspin.id, roles: [] }) });
    expect(res.body).toMatchObject({ data: { viewer: { partner: { id: DEMO_PARTNERS.tailspin.id }, roles: [] } } });
  });
});

describe('every authentication failure gets the same 401 body', () => {
  const failures: [string, (gateway: TestGateway) => Promise<CallOptions>][] = [
    ['no credentials at all', async () => ({ partner: null })],
    ['an expired token', async (g) => ({ token: await token(g, { expiresIn: '-1m' }) })],
    ['a token signed with another secret', async (g) => ({ token: await token(g, { secret: OTHER_SECRET }) })],
    [
      'a token whose payload was changed after signing',
      async (g) => {
        const [h, , s] = (await token(g)).split('.');
        const payload = b64({
          pid: DEMO_PARTNERS.contoso.id,
          roles: ['global_admin'],
          sub: 'alice',
          iss: AUTH_ISSUER,
          aud: AUTH_AUDIENCE,
          exp: 4e9,
        });
        return { token: `${h}.${payload}.${s}` };
      },
    ],
    ['a malformed token (three segments)', async () => ({ token: 'abc.def.ghi' })],
    ['a malformed token (garbage)', async () => ({ token: 'not a token at all' })],
    ['an empty bearer', async () => ({ headers: { authorization: 'Bearer ' }, partner: null })],
    ['a Basic credential', async () => ({ headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' }, partner: null })],
    ['a token for an unknown partner', async (g) => ({ token: await token(g, { partnerId: guid('auth-unknown-partner') }) })],
    ['a token with an unknown role', async (g) => ({ token: await token(g, { roles: ['superuser' as PartnerRole] }) })],
    [
      'a token with roles that are not a list',
      async (g) => ({ token: await token(g, { roles: 'admin_agent' as unknown as PartnerRole[] }) }),
    ],
    ['a token for another audience', async (g) => ({ token: await token(g, { audience: 'https://graph.microsoft.com' }) })],
    ['a token from another issuer', async (g) => ({ token: await token(g, { issuer: 'https://login.example.com' }) })],
    [
      "an unsigned token (alg 'none')",
      async () => ({
        token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ pid: DEMO_PARTNERS.contoso.id, roles: ['global_admin'], sub: 'mallory', iss: AUTH_ISSUER, aud: AUTH_AUDIENCE, exp: 4e9 })}.`,
      }),
    ],
    [
      'a token without exp',
      async (g) => ({
        token: await new SignJWT({ pid: DEMO_PARTNERS.contoso.id, roles: [] })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(AUTH_ISSUER)
          .setAudience(AUTH_AUDIENCE)
          .setSubject('alice')
          .sign(new TextEncoder().encode(g.authSecret)),
      }),
    ],
    [
      'a token signed with HS512 by the right secret',
      async (g) => ({
        token: await new SignJWT({ pid: DEMO_PARTNERS.contoso.id, roles: [] })
          .setProtectedHeader({ alg: 'HS512' })
          .setIssuer(AUTH_ISSUER)
          .setAudience(AUTH_AUDIENCE)
          .setSubject('alice')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(g.authSecret)),
      }),
    ],
  ];

  it.each(failures)('%s (development headers on)', async (_label, options) => {
    const res = await viewer(gw, await options(gw));
    expect({ status: res.status, text: res.text }).toEqual({ status: 401, text: REFUSED });
  });

  it.each(failures)('%s (development headers off)', async (_label, options) => {
    const res = await viewer(noHeaders, await options(noHeaders));
    expect({ status: res.status, text: res.text }).toEqual({ status: 401, text: REFUSED });
  });

  it.each([
    ['an unknown X-Partner-Id', { partner: guid('auth-unknown-header-partner') }],
    ['an unknown role in X-Partner-Roles', { roles: 'admin_agent,superuser' }],
    ['Authorization: Bearer <unknown partner ID>', { partner: null, headers: { authorization: `Bearer ${guid('auth-bearer-id')}` } }],
  ] as [string, CallOptions][])('development headers with %s get the same body', async (_label, options) => {
    const res = await viewer(gw, options);
    expect({ status: res.status, text: res.text }).toEqual({ status: 401, text: REFUSED });
  });

  it('the reason is kept for the server log at debug level, never sent', async () => {
    await viewer(gw, { token: await token(gw, { expiresIn: '-1m' }) });
    expect(gw.logs).toContainEqual(
      expect.objectContaining({ level: 'debug', area: 'auth', message: 'refused: token refused: ERR_JWT_EXPIRED' }),
    );
  });
});

describe('ROLE-TENANT: with DEV_HEADER_AUTH off, a caller cannot name its partner in headers', () => {
  it.each([
    ['X-Partner-Id of a real partner', { partner: DEMO_PARTNERS.contoso.id, roles: 'global_admin' }],
    ['Authorization: Bearer <real partner ID>', { partner: null, headers: { authorization: `Bearer ${DEMO_PARTNERS.contoso.id}` } }],
  ] as [string, CallOptions][])('%s is refused like any other failure', async (_label, options) => {
    const res = await viewer(noHeaders, options);
    expect({ status: res.status, text: res.text }).toEqual({ status: 401, text: REFUSED });
  });

  it('with DEV_HEADER_AUTH on (development), the same X-Partner-Id is accepted', async () => {
    const res = await viewer(gw, { partner: DEMO_PARTNERS.contoso.id });
    expect(res.body).toMatchObject({ data: { viewer: { partner: { id: DEMO_PARTNERS.contoso.id } } } });
  });
});

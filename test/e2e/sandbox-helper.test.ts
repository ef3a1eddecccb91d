import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { mintToken } from '../../src/shared/tokens.js';
import { createSandbox, SandboxError, withSandbox } from '../../src/testing/sandbox.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * The test suites' sandbox helper (src/testing/sandbox.ts, docs/testing-with-sandboxes.md) against
 * a real gateway: withSandbox deletes what it created whether the body answers or throws, errors
 * carry the gateway's code, rule and field, and an unreachable gateway or a refused admin token
 * says so. The SANDBOX_BUSY retry is driven by a scripted fetch, the gateway's busy window being
 * too short to hit on purpose. examples/sandbox-suite/ uses the helper as a customer would.
 */

let gw: TestGateway;
let adminToken: string;
beforeAll(async () => {
  gw = await startTestGateway(undefined, { env: { PARTNER_CACHE_MS: '0' } });
  adminToken = await mintToken({ secret: gw.authSecret, partnerId: DEMO_PARTNERS.contoso.id, roles: ['global_admin'] });
});
afterAll(() => gw?.close());

describe('withSandbox', () => {
  it('SANDBOX-ADMIN: creates a sandbox whose token calls as its partner at its clock, and deletes it after the body', async () => {
    let partnerId = '';
    const answer = await withSandbox({ url: gw.url, adminToken, name: 'Helper', clockStart: '2026-02-01T00:00:00Z' }, async (sb) => {
      partnerId = sb.partnerId;
      expect(await gw.collections.sandboxes.countDocuments({ _id: sb.id })).toBe(1);
      expect(await sb.request('{ viewer { partner { id name } } }')).toEqual({ viewer: { partner: { id: sb.partnerId, name: 'Helper' } } });
      expect(await sb.advance('PT25H')).toEqual({ from: '2026-02-01T00:00:00.000Z', to: '2026-02-02T01:00:00.000Z' });
      expect(await sb.now()).toBe('2026-02-02T01:00:00.000Z');
      return 'answered';
    });
    expect(answer).toBe('answered');
    expect(await gw.collections.partners.countDocuments({ _id: partnerId })).toBe(0);
    expect(await gw.collections.sandboxes.countDocuments({ partnerId })).toBe(0);
  });

  it('deletes the sandbox when the body throws, and throws the body’s error', async () => {
    let partnerId = '';
    const failing = withSandbox({ url: gw.url, adminToken, name: 'Throws' }, async (sb) => {
      partnerId = sb.partnerId;
      throw new Error('the body failed');
    });
    await expect(failing).rejects.toThrow('the body failed');
    expect(partnerId).not.toBe('');
    expect(await gw.collections.partners.countDocuments({ _id: partnerId })).toBe(0);
  });

  it('a second delete, and a delete of a sandbox already gone (purged, or deleted elsewhere), do nothing', async () => {
    const sb = await createSandbox({ url: gw.url, adminToken, name: 'Deleted twice' });
    // Deleted behind the handle's back, as the purge does once its time to live has passed.
    const elsewhere = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({
        query: 'mutation ($id: ID!) { deleteSandbox(input: { sandboxId: $id }) { deletedSandboxId } }',
        variables: { id: sb.id },
      }),
    });
    expect(((await elsewhere.json()) as { data: unknown }).data).toEqual({ deleteSandbox: { deletedSandboxId: sb.id } });
    await sb.delete();
    await sb.delete();
    expect(await gw.collections.sandboxes.countDocuments({ _id: sb.id })).toBe(0);
  });
});

describe('errors', () => {
  it('a GraphQL error is a SandboxError carrying its code and field: a clockStart out of range is BAD_USER_INPUT on input.clockStart', async () => {
    const attempt = createSandbox({ url: gw.url, adminToken, clockStart: '1999-12-31T00:00:00Z' });
    await expect(attempt).rejects.toBeInstanceOf(SandboxError);
    await expect(attempt).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.clockStart' });
  });

  it('SANDBOX-ADMIN: a caller without global_admin is told the admin token is not a sandbox administrator’s', async () => {
    const agent = await mintToken({ secret: gw.authSecret, partnerId: DEMO_PARTNERS.contoso.id, roles: ['admin_agent'] });
    const attempt = createSandbox({ url: gw.url, adminToken: agent });
    await expect(attempt).rejects.toMatchObject({
      code: 'FORBIDDEN',
      rule: 'SANDBOX-ADMIN',
      message: expect.stringContaining('not a sandbox administrator'),
    });
  });

  it('a token the gateway does not accept is UNAUTHENTICATED, said to be the admin token', async () => {
    const attempt = createSandbox({ url: gw.url, adminToken: 'not-a-token' });
    await expect(attempt).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('refused the admin token') });
  });

  it('a gateway that does not answer is UNREACHABLE, naming its URL', async () => {
    const attempt = createSandbox({ url: 'http://127.0.0.1:9', adminToken });
    await expect(attempt).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringContaining('http://127.0.0.1:9/graphql is unreachable'),
    });
  });
});

describe('refusals in userErrors', () => {
  it('a refusal of the helper’s own operation in userErrors is thrown as a SandboxError with its code, rule and field', async () => {
    const refusal = { code: 'NOT_ELIGIBLE', rule: 'SANDBOX-QUOTA', message: 'At most 20 snapshots.', field: ['input', 'name'] };
    const fake = async (): Promise<Response> =>
      new Response(JSON.stringify({ data: { createSandbox: { sandbox: null, tokens: [], userErrors: [refusal] } } }), { status: 200 });
    await expect(createSandbox({ url: 'http://gateway.invalid', adminToken: 'x', fetch: fake as typeof fetch })).rejects.toMatchObject({
      name: 'SandboxError',
      code: 'NOT_ELIGIBLE',
      rule: 'SANDBOX-QUOTA',
      field: 'input.name',
      message: 'createSandbox was refused (SANDBOX-QUOTA): At most 20 snapshots.',
    });
  });
});

describe('SANDBOX_BUSY', () => {
  /** A fetch answering SANDBOX_BUSY `busy` times, then the creation; counts the calls. */
  function scripted(busy: number) {
    const calls: string[] = [];
    const fake = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      calls.push(String(init?.body));
      const body =
        calls.length <= busy
          ? { errors: [{ message: 'The sandbox is being restored; retry in a moment.', extensions: { code: 'SANDBOX_BUSY' } }] }
          : {
              data: {
                createSandbox: { sandbox: { id: 's1', partnerId: 'p1' }, tokens: [{ roles: ['ADMIN_AGENT'], token: 't' }], userErrors: [] },
              },
            };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    return { calls, fetch: fake as typeof fetch };
  }

  it('a SANDBOX_BUSY answer is retried, and the answer after it returned', async () => {
    const { calls, fetch } = scripted(2);
    const sb = await createSandbox({ url: 'http://gateway.invalid', adminToken: 'x', fetch });
    expect(sb.partnerId).toBe('p1');
    expect(calls).toHaveLength(3);
  });

  it('SANDBOX_BUSY beyond busyRetries is thrown with its code', async () => {
    const { calls, fetch } = scripted(5);
    await expect(createSandbox({ url: 'http://gateway.invalid', adminToken: 'x', fetch, busyRetries: 1 })).rejects.toMatchObject({
      code: 'SANDBOX_BUSY',
    });
    expect(calls).toHaveLength(2);
  });
});

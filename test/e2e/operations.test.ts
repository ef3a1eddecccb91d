import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const post = (query: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-partner-id': DEMO_PARTNERS.contoso.id, ...headers },
    body: JSON.stringify({ query }),
  });

describe('operations: correlation IDs, unknown paths, readiness', () => {
  it('every response carries X-Correlation-Id, reusing a valid incoming one', async () => {
    const generated = await post('{ __typename }');
    expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post('{ __typename }', { 'x-correlation-id': 'abc-123' })).headers.get('x-correlation-id')).toBe('abc-123');
    expect((await post('{ __typename }', { 'ms-correlationid': 'ms.42' })).headers.get('x-correlation-id')).toBe('ms.42');
    expect((await post('{ __typename }', { 'x-correlation-id': 'bad id!' })).headers.get('x-correlation-id')).not.toBe('bad id!');
    expect((await fetch(`${gw.url}/healthz`)).headers.get('x-correlation-id')).toBeTruthy();
  });

  it('unknown paths answer a JSON 404 with NOT_FOUND', async () => {
    const res = await fetch(`${gw.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it('a subscription operation is a coded client error, not an internal one', async () => {
    const res = await post('subscription { __typename }');
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(res.status).toBe(400);
    expect(gw.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('/readyz answers 200 when the database pings', async () => {
    const res = await fetch(`${gw.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
  });
});

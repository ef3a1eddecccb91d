import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

describe('GraphQL over HTTP', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.close());

  /*
   * graphql-http's audit of the GraphQL-over-HTTP specification. Apollo Server 5 is known to
   * answer with notices and warnings (not errors): its CSRF prevention refuses simple GET
   * requests without a preflight header, and it answers 400 rather than 200 to invalid
   * documents under `Accept: application/json`. Those are Apollo's choices and kept; any
   * MUST-level failure (an "error") fails this test.
   */
  it('passes every MUST of the GraphQL-over-HTTP audit', async () => {
    const results = await auditServer({
      url: `${gw.url}/graphql`,
      fetchFn: (input: RequestInfo | URL, init: RequestInit = {}) =>
        fetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-partner-id': DEMO_PARTNERS.contoso.id } }),
    });
    const errors = results.filter((r) => r.status === 'error').map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(errors).toEqual([]);
    expect(results.filter((r) => r.status === 'ok').length).toBeGreaterThanOrEqual(50);
  });
});

import { describe, expect, it } from 'vitest';
import {
  FROM_SETUP,
  operationToRun,
  runWithSetup,
  type ExampleSetup,
  type GraphQLAnswer,
  type GraphQLRequest,
} from '../../src/graphiql/examples.js';

/* How the IDE runs a tab with a setup (src/graphiql/examples.ts): the setup first, only while a filled variable holds FROM_SETUP. */

const SETUP: ExampleSetup = {
  query:
    'mutation SetupBuy($customerId: ID!) { purchase(input: { customerId: $customerId }) { subscriptions { id } userErrors { code } } }',
  variables: { customerId: 'c1' },
  fill: { id: 'purchase.subscriptions.0.id' },
};
const TAB: GraphQLRequest = {
  query: 'mutation Cancel($id: ID!) { cancelSubscription(input: { subscriptionId: $id }) { summary } }',
  variables: { id: FROM_SETUP },
};

function recorder(answers: Record<string, GraphQLAnswer>) {
  const sent: GraphQLRequest[] = [];
  const execute = async (request: GraphQLRequest) => {
    sent.push(request);
    return answers[/(?:mutation|query) (\w+)/.exec(request.query)![1]!]!;
  };
  return { sent, execute };
}

describe('IDE tabs with a setup', () => {
  it('runs the setup first and fills the tab variable from its answer; the answer shows what the setup made', async () => {
    const bought = { purchase: { subscriptions: [{ id: 'fresh-1' }], userErrors: [] } };
    const { sent, execute } = recorder({ SetupBuy: { data: bought }, Cancel: { data: { cancelSubscription: { summary: 'ok' } } } });
    const answer = await runWithSetup(TAB, SETUP, execute);
    expect(sent.map((r) => [r.operationName ?? null, r.variables])).toEqual([
      ['SetupBuy', { customerId: 'c1' }],
      [null, { id: 'fresh-1' }],
    ]);
    expect(answer).toEqual({
      data: { cancelSubscription: { summary: 'ok' } },
      extensions: { setup: { operationName: 'SetupBuy', data: bought } },
    });
  });

  it('does not run the setup when the variable holds an ID of your own', async () => {
    const { sent, execute } = recorder({ Cancel: { data: { cancelSubscription: { summary: 'ok' } } } });
    await runWithSetup({ ...TAB, variables: { id: 'mine' } }, SETUP, execute);
    expect(sent.map((r) => r.variables)).toEqual([{ id: 'mine' }]);
  });

  it('answers with the setup’s refusal instead of running the tab on nothing', async () => {
    const refused = { data: { purchase: { subscriptions: [], userErrors: [{ code: 'NOT_AVAILABLE' }] } } };
    const { sent, execute } = recorder({ SetupBuy: refused });
    const answer = await runWithSetup(TAB, SETUP, execute);
    expect(sent).toHaveLength(1);
    expect(answer).toEqual({ ...refused, extensions: { setup: { operationName: 'SetupBuy', failed: true } } });
  });
});

describe('the operation a tab runs', () => {
  const CANCEL = 'mutation Cancel($id: ID!) { cancelSubscription(input: { subscriptionId: $id }) { summary } }';

  it("runs the tab's own operation when GraphiQL sends the name of the tab shown before", () => {
    expect(operationToRun(CANCEL, 'Pause')).toBe('Cancel');
  });

  it('keeps a requested name the document defines, among several operations', () => {
    const two = `query A { viewer { id } }\nquery B { viewer { id } }`;
    expect(operationToRun(two, 'B')).toBe('B');
    expect(operationToRun(two, 'C')).toBe('C'); // ambiguous: left to the server, which names the mistake
    expect(operationToRun(CANCEL, null)).toBe('Cancel');
  });
});

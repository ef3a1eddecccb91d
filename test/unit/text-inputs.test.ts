import { GraphQLError, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkTextInputs, MAX_TEXT_INPUT } from '../../src/limits/text-inputs.js';

/** The extensions and message of the BAD_USER_INPUT the check throws for `query`, or null when it passes. */
function refusal(query: string, variables: Record<string, unknown> = {}): { message: string; extensions: object } | null {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  try {
    checkTextInputs(document, operation, variables);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    const { code, http, ...where } = (error as GraphQLError).extensions;
    expect(code).toBe('BAD_USER_INPUT');
    expect((http as { status: number }).status).toBe(400);
    return { message: (error as GraphQLError).message, extensions: where };
  }
}

describe('string inputs: length, control characters, well-formed Unicode (src/limits/text-inputs.ts)', () => {
  it('a NUL written in a literal is refused naming the argument and the field', () => {
    expect(refusal('mutation { updateSubscription(input: { subscriptionId: "x", friendlyName: "a\\u0000b" }) { dryRun } }')).toEqual({
      message: "Argument 'input.friendlyName' must not contain control characters other than tab, but has U+0000 at position 1",
      extensions: { argumentName: 'input', field: 'input.friendlyName' },
    });
  });

  it('every C0 control but tab, and DEL, is refused; line feed and carriage return only in free-text fields (reason, description)', () => {
    for (let c = 0; c < 0x20; c++) {
      const char = String.fromCharCode(c);
      const inSearch = refusal('query($s: String) { customers(filter: { search: $s }) { totalCount } }', { s: `a${char}` });
      if (char === '\t') expect(inSearch, 'tab in search').toBeNull();
      else expect(inSearch?.message, `U+${c} in search`).toMatch(/must not contain control characters other than tab, /);
      const inReason = refusal('mutation($r: String!) { createSupportRequest(input: { reason: $r }) { dryRun } }', { r: `a${char}` });
      if (char === '\t' || char === '\n' || char === '\r') expect(inReason, `U+${c} in reason`).toBeNull();
      else expect(inReason?.message, `U+${c} in reason`).toMatch(/must not contain control characters other than tab and line breaks/);
    }
    expect(refusal('{ customers(filter: { search: "a\\u007f" }) { totalCount } }')?.extensions).toEqual({
      argumentName: 'filter',
      field: 'filter.search',
    });
  });

  it('strings in variables are found at any depth: in an input object inside a list', () => {
    const cart = { customerId: 'c', lineItems: [{ offerId: 'o' }, { offerId: 'o', friendlyName: 'ok\u0001' }] };
    expect(refusal('mutation($cart: PurchaseInput!) { purchase(input: $cart) { dryRun } }', { cart })).toEqual({
      message:
        "Argument 'input.lineItems[1].friendlyName' must not contain control characters other than tab, but has U+0001 at position 2",
      extensions: { argumentName: 'input', field: 'input.lineItems[1].friendlyName' },
    });
  });

  it('a variable default, a fragment, a nested field argument and a directive argument are checked too', () => {
    expect(refusal('query($s: String = "\\u0002") { customers(filter: { search: $s }) { totalCount } }')).not.toBeNull();
    expect(refusal('query($s: String = "\\u0002") { customers(filter: { search: $s }) { totalCount } }', { s: 'fine' })).toBeNull();
    expect(refusal('{ ...F } fragment F on Query { customer(id: "a\\u0000") { id } }')?.extensions).toEqual({ argumentName: 'id' });
    expect(refusal('{ customer(id: "x") { ledger(after: "\\u0003") { totalCount } } }')?.extensions).toEqual({ argumentName: 'after' });
    expect(refusal('{ customers @skip(if: false) { totalCount } customer(id: "x") @include(if: true) { id } }')).toBeNull();
  });

  it(`a string over ${MAX_TEXT_INPUT} characters is refused; one of ${MAX_TEXT_INPUT} passes`, () => {
    const query = 'query($r: String!) { createSupportRequest(input: { reason: $r }) { dryRun } }';
    expect(refusal(query, { r: 'x'.repeat(MAX_TEXT_INPUT) })).toBeNull();
    expect(refusal(query, { r: 'x'.repeat(MAX_TEXT_INPUT + 1) })?.message).toBe(
      `Argument 'input.reason' must be at most ${MAX_TEXT_INPUT} characters, but got ${MAX_TEXT_INPUT + 1}`,
    );
  });

  it('a lone surrogate is refused; characters beyond the BMP (a surrogate pair) and accents pass', () => {
    expect(refusal('query($s: String) { customers(filter: { search: $s }) { totalCount } }', { s: 'a\ud800' })?.message).toBe(
      "Argument 'filter.search' must be well-formed Unicode, but has a lone surrogate U+D800 at position 1",
    );
    expect(refusal('query($s: String) { customers(filter: { search: $s }) { totalCount } }', { s: 'Café 🚀 Zürich' })).toBeNull();
  });

  it('the first bad string in document order is the one named', () => {
    const cart = { customerId: 'c', lineItems: [{ offerId: 'o', friendlyName: '\u0001' }, { offerId: '\u0002' }] };
    expect(refusal('mutation($cart: PurchaseInput!) { purchase(input: $cart) { dryRun } }', { cart })?.extensions).toEqual({
      argumentName: 'input',
      field: 'input.lineItems[0].friendlyName',
    });
  });

  it('a variable nested 100,000 levels deep is walked without running out of stack', () => {
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(refusal('query($x: [ID!]) { subscriptions(filter: { offerId: $x }) { totalCount } }', { x: deep })?.extensions).toMatchObject({
      argumentName: 'filter',
    });
  });
});

import { badUserInput } from './errors.js';
import { fieldPath } from './input-errors.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ORDER_ID = /^[0-9a-f]{12}$/i;
const CATALOG_ITEM_ID = /^[A-Z0-9]{1,20}:[A-Z0-9]{1,8}$/i;

export type IdKind = 'customer' | 'subscription' | 'add-on' | 'reservation' | 'order' | 'software order' | 'offer';

const SHAPES: Record<IdKind, { pattern: RegExp; describe: string; normalise: (s: string) => string }> = {
  customer: { pattern: GUID, describe: 'a tenant ID (GUID)', normalise: (s) => s.toLowerCase() },
  subscription: { pattern: GUID, describe: 'a subscription ID (GUID)', normalise: (s) => s.toLowerCase() },
  'add-on': { pattern: GUID, describe: 'an add-on subscription ID (GUID)', normalise: (s) => s.toLowerCase() },
  reservation: { pattern: GUID, describe: 'a reservation ID (GUID)', normalise: (s) => s.toLowerCase() },
  order: { pattern: ORDER_ID, describe: 'an order ID (12 hex digits)', normalise: (s) => s.toLowerCase() },
  'software order': { pattern: ORDER_ID, describe: 'an order ID (12 hex digits)', normalise: (s) => s.toLowerCase() },
  offer: { pattern: CATALOG_ITEM_ID, describe: "a catalog item ID such as 'CFQ7TTC0LH18:0001'", normalise: (s) => s.toUpperCase() },
};

/**
 * Validates an ID argument's shape; a malformed ID is BAD_USER_INPUT, naming what was expected.
 * `argumentName` is the argument, or the dotted path to an input field (`input.lineItems.0.offerId`).
 */
export function parseId(kind: IdKind, raw: string, argumentName = 'id'): string {
  const shape = SHAPES[kind];
  if (!shape.pattern.test(raw)) {
    throw badUserInput(`Argument '${fieldPath(argumentName)}' must be ${shape.describe}, but got '${raw.slice(0, 80)}'`, {
      argumentName,
    });
  }
  return shape.normalise(raw);
}

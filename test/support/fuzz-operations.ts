import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/*
 * Random HTTP requests for the gateway, generated from its schema (test/e2e/fuzz.test.ts).
 *
 * An operation picks root fields of Query or Mutation, fills their arguments with values that
 * are mostly right (real IDs of the seeded world, so resolvers and the write path really run,
 * dry runs and real writes alike) and sometimes wrong (wrong scalar types, huge numbers, floats
 * for integers, NaN-ish and 100k-long strings, lone surrogates and right-to-left marks,
 * `$`-prefixed strings and `{"$gt": ""}` objects, nulls for non-nulls, unknown enum values and
 * input fields), passed inline or as JSON variables, with a random selection set (within the
 * depth limit or far beyond it, unknown fields, fragments, directives). Besides operations there
 * are limit-breakers (aliases, directives, root fields, tokens, list lengths, deep JSON) and
 * malformed HTTP (bodies that are not JSON or not an operation, batches, wrong content types,
 * GET). Credentials are chosen separately (`AuthChoice`): valid tokens with random roles,
 * expired, foreign-secret and wrong-audience tokens, garbage bearers, development headers, none.
 *
 * Strings never contain the markers the test looks for in answers (`$in`, `ferretdb`, `E11000`,
 * `node_modules`, `/src/`, `.ts:`): an answer holding one leaked it, it did not echo it.
 */

/** One partner's documents (or everyone's), so arguments can name real things. */
export interface TenantPools {
  customers: readonly string[];
  subscriptions: readonly string[];
  addOns: readonly string[];
  orders: readonly string[];
  softwareOrders: readonly string[];
  reservations: readonly string[];
  /** Customer domains, company names and tenant IDs (for `search`, `customer: String`). */
  customerNames: readonly string[];
}

/** What the seeded world holds. */
export interface FuzzWorld {
  /** By partner tenant ID. */
  tenants: Readonly<Record<string, TenantPools>>;
  /** Every partner's together (cross-tenant probes). */
  all: TenantPools;
  offers: readonly string[];
  softwareOffers: readonly string[];
  reservationOffers: readonly string[];
  addOnOffers: readonly string[];
  /** The catalog's ways to buy (offer, billing cycle, term), as enum names. */
  plans: readonly { offerId: string; billingCycle: string; termDuration: string }[];
  productVersions: readonly string[];
  regions: readonly string[];
  /** Partner tenant IDs that exist (the usual caller first), and one that does not. */
  partners: readonly string[];
  unknownPartner: string;
}

export type AuthChoice =
  | {
      kind: 'token';
      partnerId: string;
      roles: string[];
      secret: 'gateway' | 'foreign';
      expiresIn: string;
      issuer?: string;
      audience?: string;
      /** Also send X-Partner-Id (a token always wins over the development headers). */
      partnerHeader?: string;
    }
  | { kind: 'dev'; partnerId: string; roles?: string; userId?: string; viaBearer: boolean }
  | { kind: 'garbage'; bearer: string; partnerHeader?: string }
  | { kind: 'none' };

export interface FuzzCase {
  /** e.g. `query customer valid inline`, `garbage json`, `limit aliases`. */
  kind: string;
  method: 'POST' | 'GET';
  /** Path and query string. */
  path: string;
  /** null: no content-type header. */
  contentType: string | null;
  body?: string;
  /** Headers besides authentication (idempotency keys, correlation IDs, CSRF preflight). */
  headers: Record<string, string>;
  auth: AuthChoice;
}

/** Imperative draws over fast-check's `gen`, so generation is seeded and reproducible. */
export interface Draw {
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  from<T>(arbitrary: fc.Arbitrary<T>): T;
}

export function drawFrom(g: fc.GeneratorValue): Draw {
  // Choices are uniform (fast-check biases integers towards their bounds, which would skew every
  // probability below); values drawn with `from` keep fast-check's bias towards edge cases.
  const int = (min: number, max: number) => g((lo: number, hi: number) => fc.noBias(fc.integer({ min: lo, max: hi })), min, max);
  return {
    int,
    chance: (p) => int(0, 9999) < p * 10_000,
    pick: (items) => items[int(0, items.length - 1)]!,
    from: (arbitrary) => g(() => arbitrary),
  };
}

export const ROLES = [
  'admin_agent',
  'billing_admin',
  'global_admin',
  'helpdesk_agent',
  'sales_agent',
  'account_admin',
  'referral_admin',
  'marketing_content_admin',
  'user_management_admin',
] as const;

// ---------------------------------------------------------------------------------------------
// Nasty values
// ---------------------------------------------------------------------------------------------

const HUGE_INTS = [2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, 1e20];
const BAD_NUMBERS = [1.5, -0.0001, 0.1 + 0.2, -1, 0, 1e-320];
const NANISH = ['NaN', 'Infinity', '-Infinity', '-0', '1e999', '0x10', '1_000', ' 12 ', '١٢', '12abc', ''];
const UNICODE = [
  '\uD800',
  '\uDFFF',
  'a\uD83D',
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  'שלום',
  '\u200B\u200C\u200D\uFEFF',
  '😀🏳️‍🌈👨‍👩‍👧‍👦',
  'Z\u0351\u0352\u0353\u0354\u0355',
  '\u0000',
  'line\nbreak\r\n\ttab',
  '\\u0000',
  'ÅÄÖ ß ﬁ',
  '𝕳𝖊𝖑𝖑𝖔',
  '\u{10FFFF}',
];
const DOLLARS = ['$gt', '$ne', '$where', '$regex', '$expr', '$or', '$$ROOT', '$function', '$.a', 'a.$b', '__proto__', 'constructor'];
const INJECTIONS: unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000) || true' },
  { $regex: '.*' },
  { $expr: { $eq: [1, 1] } },
  { $or: [{ a: 1 }] },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { constructor: { prototype: { polluted: true } } },
  ['$gt', ''],
  "'; db.dropDatabase(); //",
  '{"$gt": ""}',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '%00',
  '${7*7}',
];

/** A string meant to hurt: unicode, `$`, long, empty, injection-ish. */
function nastyString(d: Draw): string {
  switch (d.int(0, 8)) {
    case 0:
      return d.pick(UNICODE);
    case 1:
      return d.pick(DOLLARS);
    case 2:
      return d.pick(NANISH);
    case 3:
      return 'x'.repeat(d.pick([257, 1025, 100_000]));
    case 4:
      return d.pick(UNICODE).repeat(d.int(1, 2000));
    case 5:
      return String(d.pick(INJECTIONS.filter((v) => typeof v === 'string')));
    case 6:
      return d.from(fc.string({ unit: 'binary', maxLength: 40 }));
    case 7:
      return d.from(fc.string({ unit: 'grapheme', maxLength: 30 }));
    default:
      return '';
  }
}

/** Any wrong value, regardless of the expected type. */
function wrongValue(d: Draw): unknown {
  switch (d.int(0, 9)) {
    case 0:
      return d.pick(HUGE_INTS);
    case 1:
      return d.pick(BAD_NUMBERS);
    case 2:
      return nastyString(d);
    case 3:
      return d.pick(INJECTIONS);
    case 4:
      return null;
    case 5:
      return d.chance(0.5);
    case 6:
      return [nastyString(d), d.pick(HUGE_INTS)];
    case 7:
      return { [d.pick(DOLLARS)]: nastyString(d) };
    case 8:
      return new EnumLiteral(d.pick(['NOPE', 'ACTIVE', 'admin_agent', 'true', 'null', 'P9Y', 'Infinity']));
    default:
      return d.from(fc.jsonValue({ maxDepth: 3 }));
  }
}

/** An enum value (bare in a literal, a string in JSON variables). */
export class EnumLiteral {
  constructor(readonly name: string) {}
  toJSON(): string {
    return this.name;
  }
}

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

const GUID_SHAPED = '00000000-0000-4000-8000-000000000000';

function randomGuid(d: Draw): string {
  return d.from(fc.uuid({ version: 4 }));
}

function isoDate(d: Draw, base = Date.UTC(2026, 10, 1, 9), minDays = -120, maxDays = 200): string {
  const ms = base + d.int(minDays, maxDays) * 86_400_000 + d.int(0, 86_399) * 1000;
  return new Date(ms).toISOString();
}

/** IDs: mostly the caller's own, sometimes another partner's (cross-tenant probes), made up or malformed. */
function someId(d: Draw, own: readonly string[], others: readonly string[]): string {
  const r = d.int(0, 99);
  if (r < 76 && own.length) return d.pick(own);
  if (r < 86 && others.length) return d.pick(others);
  if (r < 91) return randomGuid(d);
  if (r < 94) return d.pick(own.length ? own : [GUID_SHAPED]).toUpperCase();
  if (r < 95) return GUID_SHAPED;
  return d.pick(['nope', '', ' ', '0', 'x'.repeat(500), '$gt', 'CFQ7TTC0LH18:0001', '4a1f0c3e', 'ffffffffffff', d.pick(UNICODE)]);
}

interface ArgContext {
  root: string;
  world: FuzzWorld;
  /** The documents of the partner the credentials name (Contoso's when they name none). */
  own: TenantPools;
}

/** A type-correct value for a named leaf, guided by the argument or input field name. */
function leafValue(d: Draw, type: GraphQLNamedType, name: string, ctx: ArgContext): unknown {
  const { world: w, own: o } = ctx;
  const a = w.all;
  if (isEnumType(type)) return new EnumLiteral(d.pick(type.getValues()).name);
  const anyIds = [...a.customers, ...a.subscriptions, ...a.orders, ...a.reservations];
  switch (name) {
    case 'id':
      switch (ctx.root) {
        case 'customer':
          return someId(d, o.customers, a.customers);
        case 'subscription':
          return someId(d, o.subscriptions, [...a.subscriptions, ...a.addOns]);
        case 'addOn':
          return someId(d, o.addOns, [...a.addOns, ...a.subscriptions]);
        case 'offer':
          return someId(d, w.offers, [...w.addOnOffers, ...anyIds]);
        case 'order':
          return someId(d, o.orders, [...a.orders, ...a.softwareOrders]);
        case 'softwareOrder':
          return someId(d, o.softwareOrders, [...a.softwareOrders, ...a.orders]);
        case 'reservation':
          return someId(d, o.reservations, a.reservations);
        default:
          return someId(d, anyIds, []);
      }
    case 'customerId':
      return someId(d, o.customers, a.customers);
    case 'subscriptionId':
    case 'targetSubscriptionId':
      return ctx.root === 'updateReservation' || ctx.root === 'purchaseReservation' || ctx.root === 'exchangeReservation'
        ? randomGuid(d)
        : someId(d, [...o.subscriptions, ...o.addOns], [...a.subscriptions, ...a.addOns]);
    case 'offerId':
    case 'targetOfferId': {
      const pool =
        ctx.root === 'purchaseSoftware'
          ? w.softwareOffers
          : ctx.root === 'purchaseReservation' || ctx.root === 'exchangeReservation'
            ? w.reservationOffers
            : ctx.root === 'purchaseAddOn'
              ? w.addOnOffers
              : w.offers;
      return someId(d, pool, w.offers);
    }
    case 'reservationId':
      return someId(d, o.reservations, a.reservations);
    case 'softwareOrderId':
      return someId(d, o.softwareOrders, a.softwareOrders);
    case 'resourceId':
      return someId(d, [...o.softwareOrders, ...o.reservations, ...o.subscriptions], anyIds);
    case 'customer':
    case 'customerSearch':
    case 'search': {
      const named = d.pick(d.chance(0.85) && o.customerNames.length ? o.customerNames : a.customerNames.length ? a.customerNames : ['a']);
      return d.chance(0.5) ? named : named.slice(0, d.int(0, Math.min(6, named.length)));
    }
    case 'productVersion':
      return d.pick(w.productVersions.length ? w.productVersions : ['2022']);
    case 'language':
      return d.pick(['en-us', 'de-de', 'fr-fr', 'EN-US', 'xx']);
    case 'languages':
      return d.pick(['en-us', 'de-de', 'ja-jp']);
    case 'period':
      return d.pick(['2026-11', '2026-12', '2027-01', '2026-10', '2025-02', `20${d.int(20, 30)}-${String(d.int(1, 12)).padStart(2, '0')}`]);
    case 'to':
      // advanceClock: a few days past the seeded clock (later in the run, often in the past: refused).
      // A long advance applies months of renewals, which takes a minute on FerretDB.
      return ctx.root === 'advanceClock' ? isoDate(d, Date.UTC(2026, 10, 1, 9), 0, 6) : isoDate(d);
    case 'from':
    case 'expiringBefore':
      return isoDate(d);
    case 'by':
      return d.pick(['PT1H', 'PT24H', 'P1D', 'P2D', 'P3D', 'PT0.001S', 'P1DT2H30M', 'PT30M', 'PT23H59M59.999S']);
    case 'first':
      return d.pick([0, 1, 2, 5, 20, 50, 100]);
    case 'after':
      return d.pick(['', 'abc', 'YWJj', 'eyJpZCI6MX0', 'v1.AAAA.BBBB', GUID_SHAPED]);
    case 'quantity':
      return d.int(1, 25);
    case 'dryRun':
      // Mostly real writes: the write path is what the fuzz is after.
      return d.chance(0.3);
    case 'utilizationPercent':
      return d.pick([0, 1, 12.5, 50, 99.9, 100]);
    case 'amountRequestedInCents':
      return d.int(1, 500_000);
    case 'region':
      return d.pick(w.regions.length ? [...w.regions, 'mars-north'] : ['eastus']);
    case 'azureSubscriptionId':
      return randomGuid(d);
    case 'billingCountry':
      return d.pick(['US', 'AU', 'BR', 'DE', 'GB', 'us', 'ZZ']);
    case 'email':
      return d.pick(['ops@contoso.example', 'a@b.c', 'not-an-email']);
    case 'phone':
      return d.pick(['+1 425 555 0100', '0', '555']);
    case 'partnerId':
      return d.pick(['', '1000003', '1000001', '9999999']);
    case 'operationType':
      return d.pick(['cancel_subscription', 'create_order', 'update_subscription', 'nope']);
    case 'managementGroupId':
    case 'resourceGroupId':
      return d.pick(['rg-prod', 'mg-root', '']);
    default:
      break;
  }
  switch (type.name) {
    case 'Int':
      return d.int(-2, 30);
    case 'Float':
      return d.pick([0, 1, 2.5, 50]);
    case 'Boolean':
      // dryRun: half real writes.
      return d.chance(0.5);
    case 'DateTimeISO':
      return isoDate(d);
    case 'ID':
      return someId(d, anyIds, []);
    default:
      return d.chance(0.8) ? d.pick(['Fuzz', 'Quarterly seats', 'Renewal', 'Refund please', 'x']) : nastyString(d);
  }
}

interface ValueOptions {
  /** Probability that any one value is replaced by a wrong one. */
  wrong: number;
  /** Whether optional (nullable) input fields are filled. */
  optional: number;
}

/** A value for an input type: mostly right, wrong with probability `options.wrong` at every level. */
function inputValue({
  d,
  type,
  name,
  ctx,
  options,
  depth = 0,
}: {
  d: Draw;
  type: GraphQLInputType;
  name: string;
  ctx: ArgContext;
  options: ValueOptions;
  depth?: number;
}): unknown {
  if (options.wrong > 0 && d.chance(options.wrong)) {
    if (isNonNullType(type) && d.chance(0.3)) return null;
    return wrongValue(d);
  }
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const n = d.chance(0.05) ? d.pick([0, 101, 150]) : d.int(0, 3);
    return Array.from({ length: n }, () =>
      inputValue({ d, type: inner.ofType, name, ctx, options: n > 100 ? { wrong: 0, optional: 0 } : options, depth: depth + 1 }),
    );
  }
  if (isInputObjectType(inner)) {
    const out: Record<string, unknown> = {};
    if (inner.name === 'CartLineInput' && ctx.world.plans.length && d.chance(0.8)) {
      // A way to buy that the catalog sells, so that purchases get past CAT-* to the write path.
      const plan = d.pick(ctx.world.plans);
      out.offerId = plan.offerId;
      out.billingCycle = new EnumLiteral(plan.billingCycle);
      out.termDuration = new EnumLiteral(plan.termDuration);
      out.quantity = inputValue({ d, type: inner.getFields().quantity!.type, name: 'quantity', ctx, options, depth: depth + 1 });
      if (d.chance(options.optional)) {
        out.friendlyName = inputValue({ d, type: inner.getFields().friendlyName!.type, name: 'friendlyName', ctx, options });
      }
      return out;
    }
    for (const field of Object.values(inner.getFields())) {
      const required = isNonNullType(field.type) && field.defaultValue === undefined;
      if (!required && !d.chance(options.optional)) continue;
      out[field.name] = inputValue({ d, type: field.type, name: field.name, ctx, options, depth: depth + 1 });
    }
    if (options.wrong > 0 && d.chance(options.wrong)) out[d.pick(['nope', 'unknownField', ...DOLLARS])] = wrongValue(d);
    return out;
  }
  return leafValue(d, inner as GraphQLNamedType, name, ctx);
}

/** A GraphQL literal for a value (enums bare, strings JSON-quoted, which GraphQL accepts). */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof EnumLiteral) return value.name;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value); // NaN, Infinity: bare names, which do not fit
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${literal(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

interface Builder {
  d: Draw;
  schema: GraphQLSchema;
  world: FuzzWorld;
  own: TenantPools;
  /** Variables declared so far: `$name: Type` and their values. */
  declarations: string[];
  variables: Record<string, unknown>;
  /** Mostly right values (0) or a share of wrong ones. */
  wrong: number;
  /** Pass arguments as variables rather than inline. */
  useVariables: boolean;
  aliases: number;
  fragments: string[];
}

function argumentsFor(b: Builder, field: GraphQLField<unknown, unknown>, root: string): string {
  const { d } = b;
  const args: string[] = [];
  for (const arg of field.args as readonly GraphQLArgument[]) {
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    if (!required && !d.chance(0.5)) continue;
    if (required && b.wrong > 0 && d.chance(b.wrong / 3)) continue; // a required argument left out
    const value = inputValue({
      d: b.d,
      type: arg.type,
      name: arg.name,
      ctx: { root, world: b.world, own: b.own },
      options: { wrong: b.wrong, optional: 0.6 },
    });
    if (b.useVariables) {
      const name = `v${b.declarations.length}`;
      // Sometimes the variable's declared type does not fit the argument.
      const declared =
        b.wrong > 0 && d.chance(b.wrong / 2) ? d.pick(['String', 'Int!', 'ID', '[ID!]!', 'Boolean', 'Nope']) : String(arg.type);
      if (!(b.wrong > 0 && d.chance(0.05))) b.declarations.push(`$${name}: ${declared}`); // or an undeclared variable
      if (!(b.wrong > 0 && d.chance(0.05))) b.variables[name] = value; // or a declared one left without a value
      args.push(`${arg.name}: $${name}`);
    } else {
      args.push(`${arg.name}: ${literal(value)}`);
    }
  }
  if (b.wrong > 0 && d.chance(b.wrong / 3)) args.push(`${d.pick(['nope', 'limit', 'skip', 'where'])}: ${literal(wrongValue(d))}`);
  return args.length ? `(${args.join(', ')})` : '';
}

/** A selection set for an object type, about `depth` levels deep (deep: always prefer going down). */
function selection({
  b,
  type,
  depth,
  root,
  deep,
}: {
  b: Builder;
  type: GraphQLObjectType;
  depth: number;
  root: string;
  deep: boolean;
}): string {
  const { d } = b;
  const fields = Object.values(type.getFields());
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)));
  const objects = fields.filter((f) => isObjectType(getNamedType(f.type)));
  const parts: string[] = [];
  const used = new Set<string>();
  const count = deep ? 1 : d.int(1, Math.min(5, fields.length));
  for (let i = 0; i < count; i++) {
    const goDown = depth > 1 && objects.length > 0 && (deep || d.chance(0.45));
    const field = goDown ? d.pick(objects) : leaves.length ? d.pick(leaves) : null;
    if (!field) {
      parts.push('__typename');
      continue;
    }
    let text = field.name;
    if (b.aliases < 25 && d.chance(0.05)) {
      text = `a${b.aliases++}: ${text}`;
    } else if (used.has(field.name)) {
      continue; // the same field twice with other arguments would not validate
    }
    used.add(field.name);
    if (field.args.length && (d.chance(0.5) || field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined))) {
      text += argumentsFor(b, field, field.name);
    }
    if (d.chance(0.02)) text += d.pick([' @include(if: true)', ' @skip(if: false)', ' @skip(if: true)']);
    if (b.wrong > 0 && d.chance(b.wrong / 4)) text += d.pick([' @deprecated', ' @nope', ' @include', ' @skip(if: "yes")']);
    const named = getNamedType(field.type);
    if (isObjectType(named)) {
      const inner = selection({ b, type: named, depth: depth - 1, root, deep });
      if (d.chance(0.06)) {
        const name = `F${b.fragments.length}`;
        b.fragments.push(`fragment ${name} on ${named.name} { ${inner} }`);
        text += ` { ...${name} }`;
      } else if (d.chance(0.05)) {
        text += ` { ... on ${named.name} { ${inner} } }`;
      } else {
        text += ` { ${inner} }`;
      }
    }
    parts.push(text);
  }
  if (b.wrong > 0 && d.chance(b.wrong / 2)) parts.push(d.pick(['nope', 'password', '__proto__', 'constructor', 'id { x }']));
  if (d.chance(0.05)) parts.push('__typename');
  return parts.join(' ');
}

/** One operation from the schema: its text, variables and a label for statistics. */
function schemaOperation(
  d: Draw,
  schema: GraphQLSchema,
  world: FuzzWorld,
  own: TenantPools,
): { query: string; variables: unknown; label: string } {
  const mutation = d.chance(0.45);
  const rootType = mutation ? schema.getMutationType()! : schema.getQueryType()!;
  const wrongness = d.chance(0.7) ? 0 : d.pick([0.05, 0.15, 0.4]);
  const deep = d.chance(0.06);
  const b: Builder = {
    d,
    schema,
    world,
    own,
    declarations: [],
    variables: {},
    wrong: wrongness,
    useVariables: d.chance(0.5),
    aliases: 0,
    fragments: [],
  };
  const roots = Object.values(rootType.getFields());
  const rootCount = d.chance(0.9) ? 1 : d.int(2, 3);
  const parts: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < rootCount; i++) {
    const field = d.pick(roots);
    names.push(field.name);
    let text = rootCount > 1 ? `r${i}: ${field.name}` : field.name;
    text += argumentsFor(b, field, field.name);
    const named = getNamedType(field.type);
    if (isObjectType(named)) {
      const depth = deep ? d.int(11, 30) : d.int(1, 5);
      text += ` { ${selection({ b, type: named, depth, root: field.name, deep })} }`;
    }
    parts.push(text);
  }
  const opName = d.chance(0.3) ? ` Fuzz${d.int(0, 99)}` : '';
  const decl = b.declarations.length ? `(${b.declarations.join(', ')})` : '';
  const keyword = mutation ? 'mutation' : d.chance(0.7) ? 'query' : '';
  const head = keyword || decl || opName ? `${keyword || 'query'}${opName}${decl} ` : '';
  let query = `${head}{ ${parts.join(' ')} }`;
  if (b.fragments.length) query += `\n${b.fragments.join('\n')}`;
  const label = `${mutation ? 'mutation' : 'query'} ${names[0]}${rootCount > 1 ? '+' : ''} ${wrongness ? 'invalid' : 'valid'}${deep ? ' deep' : ''} ${b.useVariables ? 'variables' : 'inline'}`;
  return { query, variables: b.useVariables ? b.variables : wrongness && d.chance(0.2) ? wrongValue(d) : {}, label };
}

/** Operations that break one limit each, and documents that do not parse. */
function limitOperation(d: Draw): { query: string; variables?: unknown; label: string } {
  switch (d.int(0, 11)) {
    case 10: {
      // Nesting within LIMIT_MAX_TOKENS: graphql-js parses recursively.
      const n = d.pick([50, 500, 1000, 1600]);
      return { label: 'deep input object literal', query: `{ offers(filter: ${'{a: '.repeat(n)}1${'}'.repeat(n)}) { totalCount } }` };
    }
    case 11: {
      const n = d.pick([50, 500, 1000, 2400]);
      return { label: 'deep list literal', query: `{ offers(filter: { commerceType: ${'['.repeat(n)}${']'.repeat(n)} }) { totalCount } }` };
    }
    case 0:
      return {
        label: 'limit aliases',
        query: `{ viewer { ${Array.from({ length: d.int(31, 60) }, (_, i) => `a${i}: userId`).join(' ')} } }`,
      };
    case 1: {
      const n = d.int(21, 29);
      return {
        label: 'limit directives',
        query: `{ viewer { ${Array.from({ length: n }, (_, i) => `u${i}: userId @include(if: true)`).join(' ')} } }`,
      };
    }
    case 2:
      return {
        label: 'limit root fields',
        query: `{ ${Array.from({ length: d.int(31, 40) }, () => 'simulationClock { now }').join(' ')} }`,
      };
    case 3:
      return { label: 'limit tokens', query: `{ viewer { ${'userId '.repeat(d.int(5001, 20000))} } }` };
    case 4: {
      const items = Array.from({ length: d.int(101, 400) }, () => 'NEW_COMMERCE').join(', ');
      return { label: 'limit list literal', query: `{ offers(filter: { commerceType: [${items}] }) { totalCount } }` };
    }
    case 5:
      return {
        label: 'limit list variable',
        query: 'query($ids: [ID!]) { subscriptions(filter: { offerId: $ids }) { totalCount } }',
        variables: { ids: Array.from({ length: d.int(101, 5000) }, (_, i) => `CFQ7TTC0LH18:${i}`) },
      };
    case 6: {
      const n = d.int(11, 60);
      let inner = 'id';
      for (let i = 0; i < n; i++) inner = `customer { subscriptions(first: 100) { nodes { ${inner} } } }`;
      return { label: 'limit depth', query: `{ subscriptions(first: 100) { nodes { ${inner} } } }` };
    }
    case 7:
      return {
        label: 'limit cost',
        query:
          '{ customers(first: 100) { nodes { orders(first: 100) { nodes { customer { orders(first: 100) { nodes { customer { id } } } } } } } } }',
      };
    case 8: {
      // JSON nested far deeper than any document may be, in the variables (parsed by JSON.parse, not graphql-js).
      const depth = d.pick([1000, 20_000, 200_000]);
      const nested = d.chance(0.5) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const query = d.pick([
        'query($x: [ID!]) { subscriptions(filter: { offerId: $x }) { totalCount } }',
        'query($x: SubscriptionFilter) { subscriptions(filter: $x) { totalCount } }',
        'mutation($x: UpdateSubscriptionInput!) { updateSubscription(input: $x) { dryRun } }',
      ]);
      return { label: 'deep json variables', query, variables: `__RAW__${nested}` };
    }
    default: {
      const n = d.pick([100, 1000, 1600, 2400, 3000]);
      return { label: 'deep selection braces', query: `${'{ viewer '.repeat(n)}${'}'.repeat(n)}` };
    }
  }
}

/** Text that is not a GraphQL document, or barely. */
function garbageQuery(d: Draw): { query: unknown; label: string } {
  const pieces = [
    '{',
    '}',
    '{ viewer { userId }',
    'query {',
    'mutation { purchase }',
    'subscription { viewer { userId } }',
    '{ viewer { userId } } { viewer { userId } }',
    'query A { viewer { userId } } query B { viewer { userId } }',
    'fragment F on Viewer { userId }',
    '{ ...F } fragment F on Viewer { ...F }',
    '{ viewer { userId(x: 1) } }',
    '{ __schema { types { name fields { name } } } }',
    '{ __type(name: "Customer") { fields { name } } }',
    '{ customer(id: $nope) { id } }',
    '{ viewer { userId } } # comment',
    '"""block""" { viewer { userId } }',
    '{ viewer { userId @include } }',
    '{ offers(first: 1e309) { totalCount } }',
    '{ offers(first: 0x10) { totalCount } }',
    '{ offers(first: 2147483648) { totalCount } }',
    '{ offers(first: -2147483649) { totalCount } }',
    '{ offers(first: 1.0) { totalCount } }',
    '{ customer(id: "\\uD800") { id } }',
    '{ customer(id: "\\u{110000}") { id } }',
    `{ customer(id: "${'\u202E'}") { id } }`,
    '{ invoice(customerId: null, period: null) { total { amount } } }',
    '{ customers(filter: { $gt: "" }) { totalCount } }',
    '{ customers(filter: { search: { $gt: "" } }) { totalCount } }',
    '\u0000',
    '\uFEFF{ viewer { userId } }',
  ];
  switch (d.int(0, 3)) {
    case 0:
      return { label: 'garbage document', query: d.pick(pieces) };
    case 1:
      return { label: 'garbage document', query: d.from(fc.string({ unit: 'binary', maxLength: 200 })) };
    case 2:
      return {
        label: 'garbage document',
        query: d.from(
          fc
            .array(
              fc.constantFrom(
                '{',
                '}',
                '(',
                ')',
                '[',
                ']',
                ':',
                '$',
                '@',
                '...',
                '"',
                'viewer',
                'query',
                'userId',
                '!',
                '=',
                ',',
                '#',
                '\n',
              ),
              {
                maxLength: 60,
              },
            )
            .map((t) => t.join(' ')),
        ),
      };
    default:
      return { label: 'garbage query value', query: wrongValue(d) };
  }
}

/** Bodies that are not a JSON object holding one operation. */
function malformedBody(d: Draw): { body: string; label: string; contentType?: string | null } {
  const bodies = [
    '',
    '{',
    '{"query":',
    'null',
    '[]',
    '123',
    '"{ viewer { userId } }"',
    'true',
    '[{"query":"{ viewer { userId } }"},{"query":"{ simulationClock { now } }"}]',
    '{"query": 1}',
    '{"query": null}',
    '{"query": ["{ viewer { userId } }"]}',
    '{"query": {"$gt": ""}}',
    '{"query":"{ viewer { userId } }","variables":"not an object"}',
    '{"query":"{ viewer { userId } }","variables":[1,2]}',
    '{"query":"{ viewer { userId } }","variables":{"$where":"1"}}',
    '{"query":"{ viewer { userId } }","operationName":{}}',
    '{"query":"{ viewer { userId } }","operationName":"Nope"}',
    '{"query":"{ viewer { userId } }","extensions":"x"}',
    '{"query":"{ viewer { userId } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
    '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"0000000000000000000000000000000000000000000000000000000000000000"}}}',
    '{"__proto__":{"query":"{ viewer { userId } }"}}',
    '{"query":"{ viewer { userId } }","constructor":{"prototype":{"polluted":true}}}',
    '{"query":"{ viewer { userId } }","query":"{ simulationClock { now } }"}',
    '\uFEFF{"query":"{ viewer { userId } }"}',
    "{'query': '{ viewer { userId } }'}",
    '{"query":"{ viewer { userId } }"}garbage',
    '{"query":"\\ud800"}',
    `{"query":"{ viewer { userId } }","variables":{"a":"${'\\u0000'.repeat(10)}"}}`,
  ];
  switch (d.int(0, 4)) {
    case 0:
    case 1:
      return { label: 'malformed json body', body: d.pick(bodies) };
    case 2:
      return { label: 'malformed random body', body: d.from(fc.string({ unit: 'binary', maxLength: 300 })) };
    case 3:
      return {
        label: 'wrong content type',
        body: '{"query":"{ viewer { userId } }"}',
        contentType: d.pick([
          null,
          'text/plain',
          'application/graphql',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
          'text/html',
        ]),
      };
    default:
      return {
        label: 'oversized body',
        body: JSON.stringify({ query: '{ viewer { userId } }', variables: { pad: 'x'.repeat(d.pick([1_100_000, 2_000_000])) } }),
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Credentials and headers
// ---------------------------------------------------------------------------------------------

function roleSubset(d: Draw): string[] {
  // Often every role, so that mutations get past ROLE-* to their policy and the write path.
  const roles = d.chance(0.35) ? [...ROLES] : ROLES.filter(() => d.chance(0.3));
  return d.chance(0.05) ? [...roles, d.pick(['root', 'ADMIN', '', 'admin_agent '])] : roles;
}

function authChoice(d: Draw, world: FuzzWorld): AuthChoice {
  const [contoso, ...others] = world.partners;
  const partner = () => (d.chance(0.65) ? contoso! : d.chance(0.92) ? d.pick(others) : world.unknownPartner);
  const r = d.int(0, 99);
  if (r < 60) {
    const token: AuthChoice = { kind: 'token', partnerId: partner(), roles: roleSubset(d), secret: 'gateway', expiresIn: '1h' };
    if (d.chance(0.05)) token.partnerId = token.partnerId.toUpperCase();
    if (d.chance(0.05)) token.partnerHeader = d.pick(world.partners);
    return token;
  }
  if (r < 63) return { kind: 'token', partnerId: contoso!, roles: ['global_admin'], secret: 'gateway', expiresIn: '-1m' };
  if (r < 65) return { kind: 'token', partnerId: contoso!, roles: ['admin_agent'], secret: 'foreign', expiresIn: '1h' };
  if (r < 66)
    return { kind: 'token', partnerId: contoso!, roles: ['admin_agent'], secret: 'gateway', expiresIn: '1h', issuer: 'someone-else' };
  if (r < 67)
    return { kind: 'token', partnerId: contoso!, roles: ['admin_agent'], secret: 'gateway', expiresIn: '1h', audience: 'another/api' };
  if (r < 89) {
    const roles = roleSubset(d);
    const style = d.int(0, 3);
    const text = roles
      .map((role) => (style === 0 ? role : style === 1 ? role.toUpperCase() : style === 2 ? role.replace(/_/g, '-') : ` ${role} `))
      .join(',');
    return {
      kind: 'dev',
      partnerId: d.chance(0.1) ? partner().toUpperCase() : partner(),
      roles: d.chance(0.95) ? text : undefined,
      userId: d.chance(0.2) ? d.pick(['alice', 'x'.repeat(300), '$gt', '../admin']) : undefined,
      viaBearer: d.chance(0.15),
    };
  }
  if (r < 96) {
    const bearer = d.pick([
      'garbage',
      'a.b.c',
      'eyJhbGciOiJub25lIn0.eyJwaWQiOiJ4In0.',
      'eyJhbGciOiJIUzI1NiJ9..',
      '...',
      'Bearer',
      'x'.repeat(5000),
      '{"$gt":""}',
      "' OR 1=1 --",
    ]);
    return { kind: 'garbage', bearer, partnerHeader: d.chance(0.3) ? d.pick(world.partners) : undefined };
  }
  return { kind: 'none' };
}

const IDEMPOTENCY_KEYS = ['fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3', '6f1c1c1e-1111-4111-8111-111111111111', 'x'.repeat(101), 'bad key!'];

function extraHeaders(d: Draw, mutation: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  if (mutation && d.chance(0.15)) headers['ms-requestid'] = d.pick(IDEMPOTENCY_KEYS);
  if (d.chance(0.1))
    headers['x-correlation-id'] = d.pick(['fuzz-1', 'x'.repeat(200), 'bad id with spaces', '$gt', '../../etc', 'a:b.c_d-e']);
  if (d.chance(0.05)) headers['ms-correlationid'] = d.pick(['fuzz-2', '']);
  return headers;
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

function jsonBody(query: unknown, variables: unknown, operationName?: unknown): string {
  if (typeof variables === 'string' && variables.startsWith('__RAW__')) {
    return `{"query":${JSON.stringify(query)},"variables":{"x":${variables.slice('__RAW__'.length)}}}`;
  }
  const body: Record<string, unknown> = { query };
  if (variables !== undefined) body.variables = variables;
  if (operationName !== undefined) body.operationName = operationName;
  return JSON.stringify(body);
}

/** One random request. */
export function fuzzCase(d: Draw, schema: GraphQLSchema, world: FuzzWorld): FuzzCase {
  const auth = authChoice(d, world);
  const named = auth.kind === 'token' || auth.kind === 'dev' ? auth.partnerId.toLowerCase() : (world.partners[0] ?? '');
  const own = world.tenants[named] ?? world.tenants[world.partners[0] ?? ''] ?? world.all;
  const r = d.int(0, 99);
  if (r < 78) {
    const op = schemaOperation(d, schema, world, own);
    const mutation = op.query.startsWith('mutation');
    const headers = extraHeaders(d, mutation);
    if (!mutation && d.chance(0.04)) {
      // GET, as Apollo serves it (CSRF prevention wants a preflight header, or answers 400).
      if (d.chance(0.6)) headers['apollo-require-preflight'] = 'true';
      const params = new URLSearchParams({ query: op.query, variables: JSON.stringify(op.variables ?? {}) });
      return { kind: `${op.label} GET`, method: 'GET', path: `/graphql?${params}`, contentType: null, headers, auth };
    }
    const operationName = d.chance(0.02) ? d.pick(['Nope', '', 'Fuzz1']) : undefined;
    return {
      kind: op.label,
      method: 'POST',
      path: '/graphql',
      contentType: 'application/json',
      body: jsonBody(op.query, op.variables, operationName),
      headers,
      auth,
    };
  }
  if (r < 86) {
    const op = limitOperation(d);
    return {
      kind: op.label,
      method: 'POST',
      path: '/graphql',
      contentType: 'application/json',
      body: jsonBody(op.query, op.variables),
      headers: {},
      auth,
    };
  }
  if (r < 93) {
    const g = garbageQuery(d);
    return {
      kind: g.label,
      method: 'POST',
      path: '/graphql',
      contentType: 'application/json',
      body: jsonBody(g.query, d.chance(0.8) ? {} : wrongValue(d)),
      headers: {},
      auth,
    };
  }
  const m = malformedBody(d);
  return {
    kind: m.label,
    method: 'POST',
    path: d.chance(0.05) ? d.pick(['/graphql/', '/GRAPHQL', '/graphql?x=%ZZ', '/graphql/../graphql']) : '/graphql',
    contentType: m.contentType === undefined ? 'application/json' : m.contentType,
    body: m.body,
    headers: {},
    auth,
  };
}

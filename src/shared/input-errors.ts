import {
  GraphQLError,
  Kind,
  parse,
  visit,
  type ASTNode,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLFormattedError,
  type Source,
  type ValueNode,
} from 'graphql';
import { DATE_TIME_EXPECTED, DateTimeInputError } from './date-time.scalar.js';

/*
 * Bad input names where it was given: every BAD_USER_INPUT carries `extensions.argumentName`, the
 * argument of the field (`id`, `first`, `filter`, `input`), and, when the bad value sits inside an
 * input object or list, `extensions.field`, its path from the argument in graphql-js's notation
 * (`filter.search`, `input.lineItems[0].quantity`). Our own errors say so when thrown
 * (`badUserInput`); graphql-js's variable coercion errors and literal value errors get it here,
 * from the document, in the error formatter.
 */

const NAME = '[_A-Za-z][_0-9A-Za-z]*';

/** `input.lineItems.1.offerId` (a dotted argument path, as the resolvers name them) in graphql-js's notation: `input.lineItems[1].offerId`. */
export function fieldPath(dotted: string): string {
  return dotted
    .split('.')
    .map((segment, i) => (/^\d+$/.test(segment) ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join('');
}

/**
 * The extensions of a BAD_USER_INPUT: an `argumentName` given as a path (`filter.search`,
 * `input.lineItems.1.offerId`) becomes the argument (`filter`, `input`) and the `field` path.
 */
export function inputExtensions(extensions: Record<string, unknown>): Record<string, unknown> {
  const name = extensions.argumentName;
  if (typeof name !== 'string' || extensions.field !== undefined) return extensions;
  const field = fieldPath(name);
  const argumentName = /^[^.[]*/.exec(field)![0];
  return argumentName === field ? extensions : { ...extensions, argumentName, field };
}

/** Where a value is written in the document: the argument it belongs to and its path from there. */
interface ValueSite {
  argumentName: string;
  path: string;
  node: ValueNode;
}

function valueSites(definitions: readonly DefinitionNode[]): ValueSite[] {
  const sites: ValueSite[] = [];
  const walk = (node: ValueNode, argumentName: string, path: string) => {
    sites.push({ argumentName, path, node });
    if (node.kind === Kind.OBJECT) for (const f of node.fields) walk(f.value, argumentName, `${path}.${f.name.value}`);
    else if (node.kind === Kind.LIST) node.values.forEach((v, i) => walk(v, argumentName, `${path}[${i}]`));
  };
  for (const definition of definitions) {
    visit(definition, {
      Argument(node) {
        walk(node.value, node.name.value, node.name.value);
        return false;
      },
    });
  }
  return sites;
}

/** The request's document, parsed again (once per request: its errors share one Source) to find where a value is. */
const documents = new WeakMap<Source, DocumentNode | null>();

function documentOf(error: GraphQLError): DocumentNode | null {
  const source = error.source;
  if (!source) return null;
  if (!documents.has(source)) {
    let document: DocumentNode | null = null;
    try {
      document = parse(source);
    } catch {
      // It parsed once (this is a validation or coercion error); if not, there is nothing to locate.
    }
    documents.set(source, document);
  }
  return documents.get(source) ?? null;
}

function contains(node: ASTNode, offset: number): boolean {
  return node.loc !== undefined && node.loc.start <= offset && offset < node.loc.end;
}

function located(argumentName: string, path: string): { argumentName: string; field?: string } {
  return path === argumentName ? { argumentName } : { argumentName, field: path };
}

/** graphql-js's variable coercion messages: `Variable "$x" got invalid value ... at "x.a[0]"; ...`, `... of required type ...`. */
const VARIABLE_MESSAGE = new RegExp(`^Variable "\\$(${NAME})" (?:got invalid value|has invalid value|of required type|of non-null type) `);

function variableError(formatted: GraphQLFormattedError, error: GraphQLError): GraphQLFormattedError {
  const variableName = VARIABLE_MESSAGE.exec(formatted.message)?.[1];
  if (!variableName) return formatted;
  const at = new RegExp(` at "${variableName}((?:\\.${NAME}|\\[\\d+\\])*)"; `).exec(formatted.message)?.[1] ?? '';
  const document = documentOf(error);
  const offset = error.positions?.[0];
  const operation =
    offset === undefined ? undefined : document?.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && contains(d, offset));
  const fragments = document?.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION) ?? [];
  const usage = valueSites(operation ? [operation, ...fragments] : []).find(
    (s) => s.node.kind === Kind.VARIABLE && s.node.name.value === variableName,
  );
  // A variable no argument uses cannot fail coercion (validation refuses it first); name the variable regardless.
  const where: { argumentName: string; field?: string } = usage
    ? located(usage.argumentName, usage.path + at)
    : { argumentName: variableName };
  const original = error.originalError;
  const message =
    original instanceof DateTimeInputError
      ? `Argument '${where.field ?? where.argumentName}' must be ${DATE_TIME_EXPECTED}, but got ${original.received} (variable $${variableName})`
      : formatted.message;
  return { ...formatted, message, extensions: { ...formatted.extensions, ...where, variableName } };
}

function literalError(formatted: GraphQLFormattedError, error: GraphQLError): GraphQLFormattedError {
  const offset = error.positions?.[0];
  if (offset === undefined) return formatted;
  const document = documentOf(error);
  const site = valueSites(document?.definitions ?? [])
    .filter((s) => s.node.loc?.start === offset)
    .pop();
  if (!site) return formatted;
  const where = located(site.argumentName, site.path);
  const original = error.originalError;
  const message =
    original instanceof DateTimeInputError
      ? `Argument '${where.field ?? where.argumentName}' must be ${DATE_TIME_EXPECTED}, but got ${original.received}`
      : formatted.message;
  return { ...formatted, message, extensions: { ...formatted.extensions, ...where } };
}

/**
 * For the error formatter: a BAD_USER_INPUT of graphql-js's variable coercion gets
 * `argumentName` (the argument the variable feeds), `field` (the path of the bad value, when it
 * is inside an input object or list) and `variableName`; a literal value refused by validation
 * (GRAPHQL_VALIDATION_FAILED) gets `argumentName` and `field`. A date-time gets a message naming
 * the argument and the expected format. Anything else passes unchanged.
 */
export function locateInputError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (!(error instanceof GraphQLError) || formatted.extensions?.argumentName !== undefined) return formatted;
  try {
    const code = formatted.extensions?.code;
    if (code === 'BAD_USER_INPUT') return variableError(formatted, error);
    if (code === 'GRAPHQL_VALIDATION_FAILED') return literalError(formatted, error);
  } catch {
    // Locating is a courtesy: the error as graphql-js reported it is still right.
  }
  return formatted;
}

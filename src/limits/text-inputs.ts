import { Kind, visit, type DefinitionNode, type DocumentNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { badUserInput } from '../shared/errors.js';
import { fieldPath } from '../shared/input-errors.js';

/**
 * Every string the caller sends, wherever it sits (an argument, an input object, a list, a
 * variable or a variable's default; a query or a mutation), is text the gateway may store, log,
 * compare or echo: checked once here, before any resolver, rather than by each of them.
 *
 * - At most MAX_TEXT_INPUT characters: the longest any field takes (a support request's reason);
 *   a field with a tighter bound checks it in its own rule (docs/api.md, "Input bounds").
 * - No control characters: U+0000 to U+001F and U+007F are refused (NUL cannot be stored, and the
 *   others have no place in a name, an ID or a search and would reach logs and exports as is),
 *   except tab, which is whitespace anywhere (trimmed where a field trims; a blank search is no
 *   search), and line feed and carriage return in the free-text fields of MULTI_LINE_FIELDS: a
 *   line break elsewhere would split a name across lines of a log or an export.
 * - Well-formed Unicode: a lone surrogate (`"\ud800"` in JSON) is no character.
 *
 * A refusal is BAD_USER_INPUT naming the argument (`argumentName`) and, inside an input object or
 * list, the path of the value (`field`), as every bad input.
 */
export const MAX_TEXT_INPUT = 4_000;

/** Input fields of free text, where line feed and carriage return are written as text. */
export const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(['reason', 'description']);

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const ALWAYS_REFUSED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LINE_BREAKS = /[\n\r]/;
const LONE_SURROGATE = /\p{Cs}/u;

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Where a value sits: its key and its parent's place, joined into a dotted path
 * (`input.lineItems.1.friendlyName`) only for an error, so a deeply nested value costs no long strings.
 */
interface Place {
  parent: Place | null;
  key: string;
}

function dotted(place: Place): string {
  const keys: string[] = [];
  for (let p: Place | null = place; p; p = p.parent) keys.push(p.key);
  return keys.reverse().join('.');
}

/** BAD_USER_INPUT at `place`, HTTP 400: thrown before execution, where an error without a status would answer 500. */
function refused(message: (shown: string) => string, place: Place): Error {
  const path = dotted(place);
  return badUserInput(message(fieldPath(path)), { argumentName: path, http: { status: 400 } });
}

function checkText(value: string, place: Place): void {
  if (value.length > MAX_TEXT_INPUT) {
    throw refused((shown) => `Argument '${shown}' must be at most ${MAX_TEXT_INPUT} characters, but got ${value.length}`, place);
  }
  // The input field the string is (or is an item of): list items have numeric keys.
  let named: Place = place;
  while (/^\d+$/.test(named.key) && named.parent) named = named.parent;
  const multiLine = MULTI_LINE_FIELDS.has(named.key);
  const control = ALWAYS_REFUSED.exec(value) ?? (multiLine ? null : LINE_BREAKS.exec(value));
  if (control) {
    const allowed = multiLine ? ' other than tab and line breaks' : ' other than tab';
    throw refused(
      (shown) =>
        `Argument '${shown}' must not contain control characters${allowed}, but has ${codePoint(control[0])} at position ${control.index}`,
      place,
    );
  }
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) {
    throw refused(
      (shown) =>
        `Argument '${shown}' must be well-formed Unicode, but has a lone surrogate ${codePoint(surrogate[0])} at position ${surrogate.index}`,
      place,
    );
  }
}

/**
 * A variable's value as sent (JSON): every string in it, in order. Iterative: a variable may
 * nest thousands of levels deep (graphql-js refuses it later), which recursion would not survive.
 */
function checkJson(value: unknown, place: Place): void {
  const stack: [unknown, Place][] = [[value, place]];
  while (stack.length > 0) {
    const [item, at] = stack.pop()!;
    if (typeof item === 'string') checkText(item, at);
    else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], { parent: at, key: String(i) }]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, v] of Object.entries(item).reverse()) stack.push([v, { parent: at, key }]);
    }
  }
}

/**
 * Throws BAD_USER_INPUT for the first string input of `operation` (and the fragments of
 * `document`) that is too long, has a control character or is not well-formed; else returns.
 * Runs after validation: every variable an argument uses is declared.
 */
export function checkTextInputs(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): void {
  const defaults = new Map(operation.variableDefinitions?.map((d) => [d.variable.name.value, d.defaultValue]) ?? []);
  // Iterative and in document order, as checkJson.
  const checkNode = (root: ValueNode, rootPlace: Place): void => {
    const stack: [ValueNode, Place][] = [[root, rootPlace]];
    while (stack.length > 0) {
      const [node, place] = stack.pop()!;
      if (node.kind === Kind.STRING) checkText(node.value, place);
      else if (node.kind === Kind.LIST) {
        for (let i = node.values.length - 1; i >= 0; i--) stack.push([node.values[i]!, { parent: place, key: String(i) }]);
      } else if (node.kind === Kind.OBJECT) {
        for (let i = node.fields.length - 1; i >= 0; i--) {
          const f = node.fields[i]!;
          stack.push([f.value, { parent: place, key: f.name.value }]);
        }
      } else if (node.kind === Kind.VARIABLE) {
        const name = node.name.value;
        const fallback = defaults.get(name);
        if (Object.hasOwn(variables, name)) checkJson(variables[name], place);
        else if (fallback) stack.push([fallback, place]);
      }
    }
  };
  const definitions: DefinitionNode[] = [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)];
  for (const definition of definitions) {
    visit(definition, {
      Argument(node) {
        checkNode(node.value, { parent: null, key: node.name.value });
        return false;
      },
    });
  }
}

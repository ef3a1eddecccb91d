import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  isInputObjectType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { BSON, MongoClient, type Document } from 'mongodb';

/*
 * Helpers of the ROLE-TENANT walk (test/e2e/tenant-walk.test.ts): the schema's ID-like arguments,
 * generated selection sets, and byte-for-byte snapshots of a whole database.
 */

/** The schema as `npm run schema` wrote it (schema/schema.graphql). */
export function loadSchema(): GraphQLSchema {
  return buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
}

/**
 * An argument (or an input-object field under one) that names something by ID: its type is `ID`,
 * or it is a string called `id`, `…Id` or `customer` (a customer named by tenant ID, domain or name).
 */
function isIdLike(name: string, type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  if (named.name === 'ID') return true;
  return named.name === 'String' && (name === 'id' || name === 'customer' || /Id$/.test(name));
}

/**
 * Every ID-like argument of every field of every object type (Query, Mutation, and nested fields
 * such as `Customer.ledger(filter: { subscriptionId })`), as `Type.field(path.to.arg)`.
 */
export function idLikeArguments(schema: GraphQLSchema): string[] {
  const found: string[] = [];
  const walkInput = ({
    owner,
    path,
    name,
    type,
    seen,
  }: {
    owner: string;
    path: string;
    name: string;
    type: GraphQLInputType;
    seen: Set<string>;
  }) => {
    const named = getNamedType(type);
    if (isInputObjectType(named)) {
      if (seen.has(named.name)) return;
      const next = new Set(seen).add(named.name);
      for (const f of Object.values(named.getFields())) {
        walkInput({ owner, path: `${path}.${f.name}`, name: f.name, type: f.type, seen: next });
      }
    } else if (isIdLike(name, type)) {
      found.push(`${owner}(${path})`);
    }
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      for (const arg of field.args) {
        walkInput({ owner: `${type.name}.${field.name}`, path: arg.name, name: arg.name, type: arg.type, seen: new Set() });
      }
    }
  }
  return found.sort();
}

/** Cursors are opaque and sealed per request; edges repeat nodes. Neither tells anything the walk compares. */
const SKIPPED_FIELDS = new Set(['edges', 'cursor', 'startCursor', 'endCursor']);

/**
 * A selection set of `type`: every field that needs no argument, objects expanded `levels` deep
 * (leaves only below), so that whatever a resolver returns shows in the answer.
 */
export function selectionOf(type: GraphQLOutputType, levels: number): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  const parts = ['__typename'];
  for (const f of Object.values(named.getFields()) as GraphQLField<unknown, unknown>[]) {
    if (SKIPPED_FIELDS.has(f.name)) continue;
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    if (isLeafType(getNamedType(f.type))) parts.push(f.name);
    else if (levels > 0) parts.push(`${f.name} ${selectionOf(f.type, levels - 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** One root field called with the given arguments as variables (their types from the schema). */
export function rootOperation({
  schema,
  kind,
  fieldName,
  argNames,
  levels,
}: {
  schema: GraphQLSchema;
  kind: 'query' | 'mutation';
  fieldName: string;
  argNames: string[];
  levels: number;
}): string {
  const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
  const field = root.getFields()[fieldName];
  if (!field) throw new Error(`${root.name}.${fieldName} is not in the schema`);
  const args = argNames.map((n) => {
    const arg = field.args.find((a) => a.name === n);
    if (!arg) throw new Error(`${root.name}.${fieldName} has no argument ${n}`);
    return arg;
  });
  const defs = args.length ? `(${args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')})` : '';
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  return `${kind} Walk${defs} { ${fieldName}${call} ${selectionOf(field.type, levels)} }`;
}

/** Every document of every collection, as its exact BSON bytes, by collection and `_id`. */
export type Snapshot = Map<string, Map<string, Buffer>>;

export interface SnapshotDb {
  snapshot(): Promise<Snapshot>;
  close(): Promise<void>;
}

/** A client of its own on the test database, reading documents as raw BSON (no decoding, no re-encoding). */
export async function snapshotDb(uri: string, dbName: string): Promise<SnapshotDb> {
  const client = new MongoClient(uri);
  await client.connect();
  const db = client.db(dbName);
  return {
    async snapshot() {
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
      const snap: Snapshot = new Map();
      for (const name of names) {
        const raw = (await db.collection(name).find({}, { raw: true }).toArray()) as unknown as Buffer[];
        const docs = new Map<string, Buffer>();
        for (const bytes of raw) {
          const buf = Buffer.from(bytes);
          docs.set(BSON.EJSON.stringify(BSON.deserialize(buf)._id as unknown), buf);
        }
        snap.set(name, docs);
      }
      return snap;
    },
    close: () => client.close(),
  };
}

export interface Change {
  collection: string;
  id: string;
  kind: 'added' | 'removed' | 'changed';
  /** The document now (added, changed) or before (removed). */
  doc: Document;
}

/** Every document added, removed or changed (in any byte) between two snapshots. */
export function diffSnapshots(before: Snapshot, after: Snapshot): Change[] {
  const changes: Change[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(name) ?? new Map<string, Buffer>();
    const a = after.get(name) ?? new Map<string, Buffer>();
    for (const [id, bytes] of a) {
      const old = b.get(id);
      if (!old) changes.push({ collection: name, id, kind: 'added', doc: BSON.deserialize(bytes) });
      else if (!old.equals(bytes)) changes.push({ collection: name, id, kind: 'changed', doc: BSON.deserialize(bytes) });
    }
    for (const [id, bytes] of b) {
      if (!a.has(id)) changes.push({ collection: name, id, kind: 'removed', doc: BSON.deserialize(bytes) });
    }
  }
  return changes;
}

/** Every string in a document, however deep (object values and array items). */
export function stringsIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    for (const v of Object.values(value as Record<string, unknown>)) stringsIn(v, out);
  }
  return out;
}

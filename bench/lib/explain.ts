/**
 * `explain` for each read a query shape sent (as recorded by the gateway's command monitor), and
 * whether the backend says it used an index. MongoDB: IXSCAN / IDHACK / EXPRESS vs COLLSCAN in the
 * winning plan. FerretDB 1.24: its explain carries the storage's own plan (SQLite `SCAN t` vs
 * `SEARCH t USING INDEX`, PostgreSQL `Seq Scan` vs `Index Scan` / `Bitmap Index Scan`) and whether
 * the filter, sort and limit were pushed down to it.
 */
import { BSON, type Db, type Document } from 'mongodb';
import type { RecordedCommand } from './ipc.js';

export interface ExplainSummary {
  /** `find customers`, `aggregate ledger`. */
  read: string;
  /** True: an index served it; false: a collection or table scan; null: the plan does not say. */
  indexUsed: boolean | null;
  /** The plan in one line, shortened. */
  plan: string;
  /** FerretDB only. */
  pushdown?: { filter: boolean; sort: boolean; limit: boolean };
  /** How many reads of this shape the request sent (a batch of equality reads), when more than one. */
  times?: number;
  error?: string;
}

const SESSION_FIELDS = ['lsid', '$db', '$clusterTime', '$readPreference', 'txnNumber', 'autocommit', 'startTransaction', 'apiVersion'];

/**
 * A read's shape: command, collection and the field names of its filter (or its aggregate's first
 * `$match`), not their values. The reads of one loader batch sent as equality reads (FerretDB on
 * PostgreSQL) share it.
 */
export function readShape(name: string, collection: string, command: Document): string {
  const filter = (name === 'aggregate' ? (command.pipeline as Document[] | undefined)?.[0]?.$match : command.filter) as
    Document | undefined;
  return `${name} ${collection} ${Object.keys(filter ?? {})
    .sort()
    .join(',')}`;
}

/**
 * One explain per read shape (command, collection, filter fields): the reads of a batch of
 * equality reads (FerretDB/PostgreSQL) differ only in their key, so the first stands for all.
 */
export async function explainReads(db: Db, commands: readonly RecordedCommand[]): Promise<ExplainSummary[]> {
  const out: ExplainSummary[] = [];
  const byShape = new Map<string, ExplainSummary>();
  for (const c of commands) {
    if (c.name !== 'find' && c.name !== 'aggregate' && c.name !== 'count') continue;
    const command = BSON.EJSON.parse(c.command, { relaxed: false }) as Document;
    for (const field of SESSION_FIELDS) delete command[field];
    const read = `${c.name} ${c.collection}`;
    const shape = readShape(c.name, c.collection, command);
    const seen = byShape.get(shape);
    if (seen) {
      seen.times = (seen.times ?? 1) + 1;
      continue;
    }
    try {
      const result = await db.command({ explain: command, verbosity: 'queryPlanner' });
      out.push({ read, ...summarise(result) });
    } catch (error) {
      out.push({ read, indexUsed: null, plan: '', error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
    byShape.set(shape, out.at(-1)!);
  }
  return out;
}

/** A PostgreSQL plan (EXPLAIN FORMAT JSON) as its nodes, outermost first: `Bitmap Heap Scan <- Bitmap Index Scan using customerid_gin`. */
function postgresNodes(plan: unknown): string[] {
  if (!plan || typeof plan !== 'object') return [];
  const node = plan as { 'Node Type'?: string; 'Index Name'?: string; Plans?: unknown[] };
  if (!node['Node Type']) return [];
  const here = node['Index Name'] ? `${node['Node Type']} using ${node['Index Name']}` : node['Node Type'];
  return [here, ...(node.Plans ?? []).flatMap(postgresNodes)];
}

function summarise(result: Document): Omit<ExplainSummary, 'read'> {
  if ('filterPushdown' in result || result.serverInfo?.ferretdbVersion) {
    const planText = JSON.stringify(result.queryPlanner ?? {});
    const usesIndex = /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|Index Scan|Index Only Scan|Bitmap Index Scan/i.test(planText);
    const scans = /\bSCAN\b|Seq Scan/i.test(planText);
    const plan = result.queryPlanner?.Plan as unknown;
    const lines = Array.isArray(plan) ? plan.map(String).join('; ') : postgresNodes(plan).join(' <- ') || planText.replace(/\s+/g, ' ');
    return {
      indexUsed: usesIndex ? true : scans ? false : null,
      plan: lines.slice(0, 240),
      pushdown: { filter: Boolean(result.filterPushdown), sort: Boolean(result.sortPushdown), limit: Boolean(result.limitPushdown) },
    };
  }
  const winning = JSON.stringify(result.queryPlanner?.winningPlan ?? result.stages ?? result);
  const stages = [...winning.matchAll(/"stage":"([A-Z_]+)"/g)].map((m) => m[1]);
  const usesIndex = /IXSCAN|IDHACK|EXPRESS/.test(winning);
  const scans = /COLLSCAN/.test(winning);
  return {
    indexUsed: usesIndex && !scans ? true : scans ? false : null,
    plan: (stages.length ? stages.join(' <- ') : winning).slice(0, 240),
  };
}

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
  error?: string;
}

const SESSION_FIELDS = ['lsid', '$db', '$clusterTime', '$readPreference', 'txnNumber', 'autocommit', 'startTransaction', 'apiVersion'];

export async function explainReads(db: Db, commands: readonly RecordedCommand[]): Promise<ExplainSummary[]> {
  const out: ExplainSummary[] = [];
  for (const c of commands) {
    if (c.name !== 'find' && c.name !== 'aggregate' && c.name !== 'count') continue;
    const command = BSON.EJSON.parse(c.command, { relaxed: false }) as Document;
    for (const field of SESSION_FIELDS) delete command[field];
    const read = `${c.name} ${c.collection}`;
    try {
      const result = await db.command({ explain: command, verbosity: 'queryPlanner' });
      out.push({ read, ...summarise(result) });
    } catch (error) {
      out.push({ read, indexUsed: null, plan: '', error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  }
  return out;
}

function summarise(result: Document): Omit<ExplainSummary, 'read'> {
  if ('filterPushdown' in result || result.serverInfo?.ferretdbVersion) {
    const planText = JSON.stringify(result.queryPlanner ?? {});
    const usesIndex = /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|Index Scan|Index Only Scan|Bitmap Index Scan/i.test(planText);
    const scans = /\bSCAN\b|Seq Scan/i.test(planText);
    const lines = Array.isArray(result.queryPlanner?.Plan)
      ? (result.queryPlanner.Plan as unknown[]).map(String).join('; ')
      : planText.replace(/\s+/g, ' ');
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

/**
 * The sandbox measurements (issue 15, "How fast"): createSandbox EMPTY and DEMO, restoreSandbox of
 * a snapshot of the demo world and deleteSandbox, each timed over HTTP GraphQL as a test suite
 * calls them; `parallel` creations at once; and creation with `fill` sandboxes already present
 * against none. Nothing here asserts a figure: the aims are judged in bench/lib/sandbox-report.ts.
 *
 * It needs only a gateway URL and a sandbox administrator's token (SANDBOX-ADMIN), so that
 * `npm run bench` (a compiled gateway child on the benchmark's server) and the unit test (a test
 * gateway) run the same code. What the gateway does not offer yet (the DEMO template, snapshots,
 * restore) is found by introspection and reported as skipped, with the reason.
 */
import { percentile } from './load.js';

export interface SandboxBenchOptions {
  /** The gateway's base URL; requests go to `${url}/graphql`. */
  url: string;
  /** A bearer token of a sandbox administrator (a global admin of a real partner). */
  adminToken: string;
  /** Timed calls per operation and per growth point. */
  runs: number;
  /** Sandboxes present at the last growth point (the gateway's SANDBOX_MAX_PER_ADMIN must allow them and a few more). */
  fill: number;
  /** Sandboxes created at once. */
  parallel: number;
  /**
   * Untimed calls before each operation's timed ones (each kind of sandbox's create and delete, a
   * restore), so that the first figures are not the JIT's and the connection pool's warm-up:
   * the reads section warms up likewise. @default 5
   */
  warmup?: number;
  /** Concurrent creations while filling (not timed: the fill is set-up). */
  fillConcurrency?: number;
  progress: (line: string) => void;
  /**
   * The gateway's database commands over a window (bench/lib/ipc.ts), when it runs as a child:
   * one creation at each growth point, one DEMO creation and one restore are recorded, to show
   * where their time goes.
   */
  recorder?: { start(): Promise<void>; stop(): Promise<{ name: string; collection: string; ms?: number }[]> };
}

/** One recorded call: its database commands in order, with their durations. */
export interface RecordedCall {
  commands: { command: string; ms: number | null }[];
  /** The sum of the commands' durations (concurrent ones count each). */
  dbMs: number;
  /** The call's own time, request sent to answer parsed. */
  ms: number;
}

/** A recorded call's commands grouped by command and collection, the most time first: "insert customers x 3, 40 ms". */
export function byCommand(r: RecordedCall, top = 4): string[] {
  const groups = new Map<string, { n: number; ms: number }>();
  for (const c of r.commands) {
    const g = groups.get(c.command) ?? { n: 0, ms: 0 };
    g.n += 1;
    g.ms += c.ms ?? 0;
    groups.set(c.command, g);
  }
  return [...groups]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, top)
    .map(([command, g]) => `${command}${g.n > 1 ? ` x ${g.n}` : ''} ${g.ms.toFixed(0)} ms`);
}

export interface LatencyStats {
  /** Calls answered without an error (the percentiles are over these). */
  runs: number;
  errors: number;
  firstError: string | null;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
}

export type SandboxOpId = 'createEmpty' | 'createDemo' | 'restore' | 'deleteEmpty' | 'deleteDemo';

export interface SandboxOp {
  id: SandboxOpId;
  label: string;
  /** One more call of it, untimed, with the gateway's database commands (when a recorder was given). */
  recorded?: RecordedCall | null;
  /** Null when skipped. */
  stats: LatencyStats | null;
  skipped: string | null;
}

export interface SandboxBenchResults {
  runs: number;
  fill: number;
  parallel: number;
  /** What the gateway's schema offers; `missing` names what it lacks of the contract (docs/sandboxes.md). */
  features: { demo: boolean; snapshot: boolean; restore: boolean; missing: string[] };
  /** customerCount of a DEMO sandbox as createSandbox answered it; null when DEMO was not measured. */
  demoCustomers: number | null;
  /** documentCount of the restored snapshot; null when restore was not measured. */
  snapshotDocuments: number | null;
  /** The untimed advanceClock calls before each restore that failed (then that restore had less to undo), and the first error. */
  restoreAdvanceErrors: { count: number; first: string | null };
  /** The world of the restored snapshot: DEMO, or EMPTY when the gateway has restore but no DEMO template. */
  restoreWorld: 'DEMO' | 'EMPTY' | null;
  operations: SandboxOp[];
  parallelCreate: { sandboxes: number; wallMs: number; stats: LatencyStats };
  /** createSandbox EMPTY (and its delete) at each number of sandboxes already present, 0 first. */
  growth: { present: number; create: LatencyStats; delete: LatencyStats; recorded?: RecordedCall | null }[];
  /** Filling up to `fill`: untimed set-up, reported for scale. */
  fillRun: { sandboxes: number; seconds: number; errors: number; firstError: string | null; concurrency: number } | null;
  /** The same with none present again once the fill was deleted: the machine's drift over the run. */
  noneAfterFill: { present: number; create: LatencyStats; delete: LatencyStats; recorded?: RecordedCall | null } | null;
  /** Deleting the fill (untimed, `concurrency` at a time). */
  drainRun: { sandboxes: number; seconds: number; errors: number; firstError: string | null } | null;
  /**
   * createSandbox EMPTY p50 at the last growth point over that with none present, the lower of
   * before the fill and after deleting it, so that the machine's drift cannot flatter it; null without a fill.
   */
  creationRatio: number | null;
}

interface Answer<T> {
  ms: number;
  data: T | null;
  /** `CODE: message` of the first GraphQL error, or the HTTP status; null on success. */
  error: string | null;
}

const CREATE = `mutation BenchCreateSandbox($input: CreateSandboxInput!) {
  createSandbox(input: $input) { sandbox { id partnerId customerCount } tokens { token } userErrors { code rule message } }
}`;
const DELETE = `mutation BenchDeleteSandbox($id: ID!) { deleteSandbox(input: { sandboxId: $id }) { deletedSandboxId userErrors { code rule message } } }`;
const SNAPSHOT = `mutation BenchSnapshotSandbox($id: ID!, $name: String!) {
  snapshotSandbox(input: { sandboxId: $id, name: $name }) { snapshot { name documentCount } userErrors { code rule message } }
}`;
const RESTORE = `mutation BenchRestoreSandbox($id: ID!, $snapshot: String!) {
  restoreSandbox(input: { sandboxId: $id, snapshot: $snapshot }) { sandbox { id } userErrors { code rule message } }
}`;
const ADVANCE = `mutation BenchAdvance { advanceClock(input: { by: "PT1H" }) { to userErrors { code rule message } } }`;
const FEATURES = `query BenchSandboxFeatures {
  template: __type(name: "SandboxTemplate") { enumValues { name } }
  mutation: __type(name: "Mutation") { fields { name } }
}`;

interface Created {
  createSandbox: { sandbox: { id: string; partnerId: string; customerCount: number }; tokens: { token: string }[] } | null;
}

/** Time to live of every sandbox the benchmark makes: the gateway purges what a failed run leaves. */
const TTL = 'PT2H';
const SNAPSHOT_NAME = 'bench';

export function latencyStats(samples: readonly number[], errors: number, firstError: string | null): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    errors,
    firstError,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
    minMs: sorted[0] ?? Number.NaN,
    maxMs: sorted.at(-1) ?? Number.NaN,
  };
}

/** Samples and errors of one operation, as they come. */
class Tally {
  readonly samples: number[] = [];
  errors = 0;
  firstError: string | null = null;
  add(answer: Answer<unknown>): void {
    if (answer.error === null) this.samples.push(answer.ms);
    else {
      this.errors += 1;
      this.firstError ??= answer.error;
    }
  }
  stats(): LatencyStats {
    return latencyStats(this.samples, this.errors, this.firstError);
  }
}

const fmtMs = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v >= 100 ? 0 : 1)} ms` : 'n/a');
const line = (s: LatencyStats) => `p50 ${fmtMs(s.p50Ms)}, p99 ${fmtMs(s.p99Ms)} (${s.runs} runs, ${s.errors} errors)`;

export async function runSandboxBench(o: SandboxBenchOptions): Promise<SandboxBenchResults> {
  const endpoint = `${o.url.replace(/\/$/, '')}/graphql`;
  const call = async <T>(query: string, variables: Record<string, unknown>, token = o.adminToken): Promise<Answer<T>> => {
    const started = performance.now();
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      const ms = performance.now() - started;
      let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return { ms, data: null, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
      }
      const first = body.errors?.[0];
      if (first) return { ms, data: body.data ?? null, error: `${first.extensions?.code ?? 'ERROR'}: ${first.message.slice(0, 300)}` };
      if (res.status !== 200 || !body.data) return { ms, data: null, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
      // A mutation's refusal is a user error in its payload, not a GraphQL error: it failed all the same.
      const refused = Object.values(
        body.data as Record<string, { userErrors?: { code: string; rule: string; message: string }[] } | null>,
      ).find((payload) => payload?.userErrors?.length)?.userErrors?.[0];
      if (refused) return { ms, data: body.data, error: `${refused.code} (${refused.rule}): ${refused.message.slice(0, 300)}` };
      return { ms, data: body.data, error: null };
    } catch (error) {
      return { ms: performance.now() - started, data: null, error: error instanceof Error ? error.message : String(error) };
    }
  };
  let named = 0;
  const create = async (template: 'EMPTY' | 'DEMO') => {
    const answer = await call<Created>(CREATE, { input: { name: `bench ${template.toLowerCase()} ${++named}`, template, ttl: TTL } });
    const created = answer.data?.createSandbox ?? null;
    if (answer.error === null && !created) return { ...answer, error: 'createSandbox answered no sandbox', created: null };
    return { ...answer, created };
  };
  const remove = (id: string) => call<unknown>(DELETE, { id });
  const every = Math.max(1, Math.floor(o.runs / 5));
  const warmup = o.warmup ?? 5;
  const tick = (what: string, i: number, t: Tally) => {
    if ((i + 1) % every === 0 && i + 1 < o.runs) {
      o.progress(
        `    ${what} ${i + 1}/${o.runs}, p50 so far ${fmtMs(
          percentile(
            [...t.samples].sort((a, b) => a - b),
            50,
          ),
        )}`,
      );
    }
  };

  /** `runs` times: create (timed), then delete it (timed), so that the number present stays put. */
  const createDeleteLoop = async (template: 'EMPTY' | 'DEMO', what: string, untimed = 0) => {
    for (let i = 0; i < untimed; i++) {
      const made = await create(template);
      if (made.created) await remove(made.created.sandbox.id);
    }
    const c = new Tally();
    const d = new Tally();
    let customers: number | null = null;
    for (let i = 0; i < o.runs; i++) {
      const made = await create(template);
      c.add(made);
      if (made.created) {
        customers = made.created.sandbox.customerCount;
        d.add(await remove(made.created.sandbox.id));
      }
      tick(what, i, c);
    }
    return { create: c.stats(), delete: d.stats(), customers };
  };

  /** `run` once with the gateway's database commands recorded; null without a recorder. */
  const recordCall = async (run: () => Promise<Answer<unknown>>): Promise<RecordedCall | null> => {
    if (!o.recorder) return null;
    await o.recorder.start();
    const answer = await run();
    const commands = await o.recorder.stop();
    return {
      commands: commands.map((c) => ({ command: `${c.name} ${c.collection}`, ms: c.ms ?? null })),
      dbMs: commands.reduce((n, c) => n + (c.ms ?? 0), 0),
      ms: answer.ms,
    };
  };
  /** One more creation (and its delete), untimed, with the gateway's database commands recorded. */
  const recordCreation = async (template: 'EMPTY' | 'DEMO' = 'EMPTY'): Promise<RecordedCall | null> => {
    let id: string | null = null;
    const recorded = await recordCall(async () => {
      const made = await create(template);
      id = made.created?.sandbox.id ?? null;
      return made;
    });
    if (id !== null) await remove(id);
    return recorded;
  };
  const slowest = (r: RecordedCall | null) =>
    r
      ? `; recorded: ${fmtMs(r.ms)}, ${r.commands.length} commands, ${fmtMs(r.dbMs)} in the database, most ${byCommand(r, 3).join(', ')}`
      : '';

  // ---- what this gateway offers ----------------------------------------------------------------
  const features = await call<{ template: { enumValues: { name: string }[] } | null; mutation: { fields: { name: string }[] } | null }>(
    FEATURES,
    {},
  );
  if (features.error) throw new Error(`introspecting the gateway's schema failed: ${features.error}`);
  const templates = new Set(features.data?.template?.enumValues.map((v) => v.name) ?? []);
  const mutations = new Set(features.data?.mutation?.fields.map((f) => f.name) ?? []);
  for (const needed of ['createSandbox', 'deleteSandbox']) {
    if (!mutations.has(needed)) throw new Error(`the gateway has no ${needed} mutation: nothing to measure`);
  }
  const has = { demo: templates.has('DEMO'), snapshot: mutations.has('snapshotSandbox'), restore: mutations.has('restoreSandbox') };
  const missing = [
    ...(has.demo ? [] : ['the DEMO template']),
    ...(has.snapshot ? [] : ['snapshotSandbox']),
    ...(has.restore ? [] : ['restoreSandbox']),
  ];
  o.progress(`  the gateway offers: templates ${[...templates].join(', ')}${missing.length ? `; not yet: ${missing.join(', ')}` : ''}`);

  const operations: SandboxOp[] = [];
  const skip = (id: SandboxOpId, label: string, reason: string) => {
    operations.push({ id, label, stats: null, skipped: reason });
    o.progress(`  ${label}: skipped: ${reason}`);
  };

  // ---- EMPTY, none present: also the first growth point --------------------------------------------
  o.progress(`  createSandbox EMPTY then deleteSandbox, ${warmup} times untimed (warm-up), then ${o.runs} times`);
  const empty = await createDeleteLoop('EMPTY', 'EMPTY', warmup);
  operations.push({ id: 'createEmpty', label: 'createSandbox EMPTY', stats: empty.create, skipped: null });
  o.progress(`    create ${line(empty.create)}; delete ${line(empty.delete)}`);
  const recordedAtNone = await recordCreation();
  if (recordedAtNone) o.progress(`    ${slowest(recordedAtNone).slice(2)}`);
  const growth: SandboxBenchResults['growth'] = [{ present: 0, create: empty.create, delete: empty.delete, recorded: recordedAtNone }];

  // ---- DEMO ------------------------------------------------------------------------------------------
  let demoCustomers: number | null = null;
  let demoDelete: LatencyStats | null = null;
  if (has.demo) {
    o.progress(`  createSandbox DEMO then deleteSandbox, ${warmup} times untimed (warm-up), then ${o.runs} times`);
    const demo = await createDeleteLoop('DEMO', 'DEMO', warmup);
    const recorded = await recordCreation('DEMO');
    operations.push({ id: 'createDemo', label: 'createSandbox DEMO', stats: demo.create, skipped: null, recorded });
    demoCustomers = demo.customers;
    demoDelete = demo.delete;
    o.progress(`    create ${line(demo.create)} (${demoCustomers ?? '?'} customers); delete ${line(demo.delete)}${slowest(recorded)}`);
  } else skip('createDemo', 'createSandbox DEMO', 'the gateway has no DEMO template yet');

  // ---- restore a snapshot: advance the clock (untimed) so that each restore has something to undo ----
  let snapshotDocuments: number | null = null;
  let restoreWorld: SandboxBenchResults['restoreWorld'] = null;
  const restoreAdvanceErrors: SandboxBenchResults['restoreAdvanceErrors'] = { count: 0, first: null };
  if (has.snapshot && has.restore) {
    const world = has.demo ? 'DEMO' : 'EMPTY';
    const label = `restoreSandbox (${world === 'DEMO' ? 'demo world' : 'EMPTY world: no DEMO template yet'})`;
    o.progress(`  ${label}: snapshot once, then ${warmup} + ${o.runs} times advanceClock PT1H and restore (the first ${warmup} untimed)`);
    const t = new Tally();
    let recorded: RecordedCall | null = null;
    const made = await create(world);
    if (!made.created) {
      t.add(made);
    } else {
      const { id } = made.created.sandbox;
      const token = made.created.tokens[0]?.token ?? '';
      const snap = await call<{ snapshotSandbox: { snapshot: { documentCount: number } | null } }>(SNAPSHOT, { id, name: SNAPSHOT_NAME });
      if (snap.error) t.add(snap);
      else {
        snapshotDocuments = snap.data?.snapshotSandbox.snapshot?.documentCount ?? null;
        restoreWorld = world;
        for (let i = -warmup; i < o.runs; i++) {
          // Not timed, and not an error of restore's: it only gives each restore a changed sandbox.
          const advanced = await call(ADVANCE, {}, token);
          if (advanced.error) {
            restoreAdvanceErrors.count += 1;
            restoreAdvanceErrors.first ??= advanced.error;
          }
          const restored = await call(RESTORE, { id, snapshot: SNAPSHOT_NAME });
          if (i >= 0) {
            t.add(restored);
            tick('restore', i, t);
          }
        }
        await call(ADVANCE, {}, token);
        recorded = await recordCall(() => call(RESTORE, { id, snapshot: SNAPSHOT_NAME }));
      }
      await remove(id);
    }
    operations.push({ id: 'restore', label, stats: t.stats(), skipped: null, recorded });
    o.progress(
      `    ${line(t.stats())}${snapshotDocuments === null ? '' : `; the snapshot holds ${snapshotDocuments} documents`}` +
        (restoreAdvanceErrors.count
          ? `; ${restoreAdvanceErrors.count} advanceClock calls failed (first: ${restoreAdvanceErrors.first})`
          : '') +
        slowest(recorded),
    );
  } else {
    skip(
      'restore',
      'restoreSandbox (demo world)',
      `the gateway has no ${[!has.snapshot && 'snapshotSandbox', !has.restore && 'restoreSandbox'].filter(Boolean).join(' or ')} yet`,
    );
  }
  operations.push({ id: 'deleteEmpty', label: 'deleteSandbox (EMPTY)', stats: empty.delete, skipped: null });
  if (demoDelete) operations.push({ id: 'deleteDemo', label: 'deleteSandbox (DEMO)', stats: demoDelete, skipped: null });
  else skip('deleteDemo', 'deleteSandbox (DEMO)', 'the gateway has no DEMO template yet');

  // ---- parallel creations -------------------------------------------------------------------------------
  // Warm already: the EMPTY runs above.
  o.progress(`  ${o.parallel} createSandbox EMPTY at once`);
  const started = performance.now();
  const batch = await Promise.all(Array.from({ length: o.parallel }, () => create('EMPTY')));
  const wallMs = performance.now() - started;
  const pt = new Tally();
  for (const b of batch) pt.add(b);
  const parallelCreate = { sandboxes: o.parallel, wallMs, stats: pt.stats() };
  o.progress(`    ${line(parallelCreate.stats)}, all done in ${fmtMs(wallMs)}`);
  for (const b of batch) if (b.created) await remove(b.created.sandbox.id);

  // ---- growth: fill in steps, measure EMPTY creation at each ---------------------------------------------------
  const concurrency = o.fillConcurrency ?? 4;
  const points = [...new Set([Math.round(o.fill / 4), Math.round(o.fill / 2), o.fill])].filter((n) => n > 0).sort((a, b) => a - b);
  let present = 0;
  const filled: string[] = [];
  let fillErrors = 0;
  let fillFirstError: string | null = null;
  let fillMs = 0;
  for (const target of points) {
    o.progress(`  filling to ${target} sandboxes present (${concurrency} at a time)`);
    const fillStarted = performance.now();
    let lastDecile = Math.floor((present / o.fill) * 10);
    // Failed creations are retried, within a bound: the point is how many are present.
    let attemptsLeft = (target - present) * 2 + 10;
    let inFlight = 0;
    const worker = async () => {
      while (present + inFlight < target && attemptsLeft > 0) {
        attemptsLeft -= 1;
        inFlight += 1;
        const made = await create('EMPTY');
        inFlight -= 1;
        if (made.created) {
          present += 1;
          filled.push(made.created.sandbox.id);
        } else {
          fillErrors += 1;
          fillFirstError ??= made.error;
        }
        const decile = Math.floor((present / o.fill) * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          o.progress(`    ${present}/${o.fill} present (${((performance.now() - fillStarted) / 1000).toFixed(0)} s)`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    fillMs += performance.now() - fillStarted;
    o.progress(`  createSandbox EMPTY then deleteSandbox with ${present} present, ${o.runs} times`);
    const at = await createDeleteLoop('EMPTY', `EMPTY at ${present}`);
    const recorded = await recordCreation();
    growth.push({ present, create: at.create, delete: at.delete, recorded });
    o.progress(`    create ${line(at.create)}; delete ${line(at.delete)}${slowest(recorded)}`);
  }

  const presentAtFull = present;

  // ---- none present again: delete the fill, then measure as at first --------------------------------------------------
  let noneAfterFill: SandboxBenchResults['noneAfterFill'] = null;
  let drainRun: SandboxBenchResults['drainRun'] = null;
  if (filled.length > 0) {
    o.progress(`  deleting the ${filled.length} filled sandboxes (${concurrency} at a time)`);
    const drainStarted = performance.now();
    const total = filled.length;
    let deleted = 0;
    let lastDecile = 0;
    drainRun = { sandboxes: 0, seconds: 0, errors: 0, firstError: null };
    const run = drainRun;
    const worker = async () => {
      for (let id = filled.pop(); id !== undefined; id = filled.pop()) {
        const answer = await remove(id);
        if (answer.error === null) deleted += 1;
        else {
          run.errors += 1;
          run.firstError ??= answer.error;
        }
        const decile = Math.floor((deleted / total) * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          o.progress(`    ${total - deleted}/${total} left (${((performance.now() - drainStarted) / 1000).toFixed(0)} s)`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    run.sandboxes = deleted;
    run.seconds = (performance.now() - drainStarted) / 1000;
    present -= deleted;
    o.progress(`  createSandbox EMPTY then deleteSandbox with ${present} present again, ${o.runs} times`);
    const again = await createDeleteLoop('EMPTY', `EMPTY at ${present} again`);
    const recorded = await recordCreation();
    noneAfterFill = { present, create: again.create, delete: again.delete, recorded };
    o.progress(`    create ${line(again.create)}; delete ${line(again.delete)}${slowest(recorded)}`);
  }

  const last = growth.at(-1)!;
  const baseline = Math.min(growth[0]!.create.p50Ms, noneAfterFill?.create.p50Ms ?? Number.POSITIVE_INFINITY);
  const creationRatio = growth.length > 1 ? last.create.p50Ms / baseline : null;
  if (creationRatio !== null) {
    o.progress(`  creation p50 with ${last.present} present / with none (the lower of before and after): ${creationRatio.toFixed(2)}x`);
  }

  return {
    runs: o.runs,
    fill: o.fill,
    parallel: o.parallel,
    features: { ...has, missing },
    demoCustomers,
    snapshotDocuments,
    restoreAdvanceErrors,
    restoreWorld,
    operations,
    parallelCreate,
    growth,
    noneAfterFill,
    drainRun,
    fillRun: points.length
      ? { sandboxes: presentAtFull, seconds: fillMs / 1000, errors: fillErrors, firstError: fillFirstError, concurrency }
      : null,
    creationRatio,
  };
}

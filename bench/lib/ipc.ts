/**
 * The measured servers (gateway, floor) run in child processes, so that their CPU time and
 * resident memory are theirs alone (the load generator runs in the parent). They answer the
 * parent's questions over Node's IPC channel: CPU and memory so far, database time so far, and
 * the database commands of a recorded window (EJSON, so that BSON values survive the trip).
 */
import { performance } from 'node:perf_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { BSON, type MongoClient } from 'mongodb';
import { PROJECT_ROOT } from '../../src/shared/config.js';

export interface Stats {
  /** process.cpuUsage() of the child, microseconds. */
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  /**
   * The main thread's event loop busy time since the process started (performance.eventLoopUtilization
   * `active`), milliseconds: the time it ran JavaScript and callbacks, not the time it waited.
   */
  eventLoopBusyMs: number;
  /**
   * Database commands completed, and the time during which at least one was in flight (the union
   * of their intervals, so concurrent equality reads count once, as the wait they cause).
   */
  dbCommands: number;
  dbTimeMs: number;
}

export interface RecordedCommand {
  name: string;
  collection: string;
  /** EJSON (canonical) of the command document, for explain. */
  command: string;
  /** Sent to reply parsed, as the driver reports it; absent while in flight. */
  ms?: number;
}

type Request = { id: number; op: 'stats' } | { id: number; op: 'record' } | { id: number; op: 'recorded' } | { id: number; op: 'gc' };

// ---- child side -------------------------------------------------------------------------------

/** Installs the command monitor on `client` (created with monitorCommands) and answers the parent. */
export function serveParent(client: MongoClient): void {
  let dbCommands = 0;
  let dbTimeMs = 0;
  let recording: RecordedCommand[] | null = null;
  /** The recorded commands still in flight, by the driver's request ID, to note their durations. */
  const recordingInFlight = new Map<number, RecordedCommand>();
  let inFlight = 0;
  let busySince = 0;
  const ended = (e: { requestId: number; duration: number }) => {
    dbCommands += 1;
    if (--inFlight === 0) dbTimeMs += performance.now() - busySince;
    const recorded = recordingInFlight.get(e.requestId);
    if (recorded) {
      recorded.ms = e.duration;
      recordingInFlight.delete(e.requestId);
    }
  };
  client.on('commandStarted', (e) => {
    if (inFlight++ === 0) busySince = performance.now();
    if (!recording) return;
    const target = e.command[e.commandName];
    const collection =
      e.commandName === 'getMore' ? String(e.command.collection) : typeof target === 'string' ? target : String(e.command.collection ?? '');
    const recorded: RecordedCommand = { name: e.commandName, collection, command: BSON.EJSON.stringify(e.command, { relaxed: false }) };
    recording.push(recorded);
    recordingInFlight.set(e.requestId, recorded);
  });
  client.on('commandSucceeded', ended);
  client.on('commandFailed', ended);
  process.on('message', (message: Request) => {
    const reply = (body: unknown) => process.send?.({ id: message.id, body });
    switch (message.op) {
      case 'stats': {
        const cpu = process.cpuUsage();
        const mem = process.memoryUsage();
        reply({
          cpuUserUs: cpu.user,
          cpuSystemUs: cpu.system,
          rssBytes: mem.rss,
          heapUsedBytes: mem.heapUsed,
          eventLoopBusyMs: performance.eventLoopUtilization().active,
          dbCommands,
          dbTimeMs,
        } satisfies Stats);
        break;
      }
      case 'record':
        recording = [];
        reply(null);
        break;
      case 'recorded':
        reply(recording ?? []);
        recording = null;
        recordingInFlight.clear();
        break;
      case 'gc':
        (globalThis as { gc?: () => void }).gc?.();
        reply(null);
        break;
    }
  });
  // The parent's death ends us: no orphaned servers.
  process.on('disconnect', () => process.exit(0));
}

export function ready(url: string): void {
  process.send?.({ ready: url });
}

// ---- parent side ------------------------------------------------------------------------------

export interface Child {
  url: string;
  pid: number;
  stats(): Promise<Stats>;
  /** Starts recording the database commands; `recorded` returns them and stops. */
  record(): Promise<void>;
  recorded(): Promise<RecordedCommand[]>;
  gc(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The compiled form of `script` (a .ts path relative to the project) and how to run it: as
 * `npm start` runs the gateway (package.json), JavaScript from dist/node (scripts/build.mjs, run
 * by bench/run.ts first) with reflect-metadata and V8's young generation capped at 8 MB per
 * semi-space, not through the TypeScript loader.
 */
export function compiledArgs(script: string): string[] {
  return [
    '--expose-gc',
    '--max-semi-space-size=8',
    '--import',
    'reflect-metadata',
    path.join(PROJECT_ROOT, 'dist/node', script.replace(/\.ts$/, '.js')),
  ];
}

/** Starts the compiled `script` (relative to the project; see `compiledArgs`), and waits for its URL. */
export async function startChild(script: string, env: Record<string, string>, timeoutMs = 120_000): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, compiledArgs(script), {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, (body: unknown) => void>();
  let exited = false;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (message: { ready?: string; id?: number; body?: unknown }) => {
      if (message.ready) {
        clearTimeout(timer);
        resolve(message.ready);
      } else if (message.id !== undefined) {
        pending.get(message.id)?.(message.body);
        pending.delete(message.id);
      }
    });
    child.once('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? `code ${code}`}) before it was ready`));
      for (const [, resolvePending] of pending) resolvePending(undefined);
    });
  });
  const ask = <T>(op: Request['op']): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error(`${script} has exited`));
      const id = nextId++;
      pending.set(id, (body) => resolve(body as T));
      child.send({ id, op });
    });
  return {
    url,
    pid: child.pid!,
    stats: () => ask<Stats>('stats'),
    record: () => ask<void>('record'),
    recorded: () => ask<RecordedCommand[]>('recorded'),
    gc: () => ask<void>('gc'),
    stop: async () => {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

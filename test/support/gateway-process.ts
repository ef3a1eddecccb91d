import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { PROJECT_ROOT } from '../../src/shared/config.js';

/** Variables the child must not inherit from the test run, so only what a test passes counts. */
const SCRUBBED = [
  'NODE_ENV',
  'ENABLE_FAULT_INJECTION',
  'FAULT_KILL_AFTER_EFFECT',
  'FAULT_KILL_AT_SANDBOX_STEP',
  'AUTH_SECRET',
  'DEV_HEADER_AUTH',
  'MONGODB_DB',
  'PORT',
];

/**
 * The points budget is the whole deployment's, kept in the database (src/limits/point-budget.ts):
 * a test that starts process after process of one partner would spend it across them. Tests of
 * the budget itself pass their own RATE_LIMIT_PER_MINUTE.
 */
const PROCESS_LIMITS = { RATE_LIMIT_PER_MINUTE: '100000000' };

export interface GatewayProcess {
  child: ChildProcess;
  /** Everything the process wrote to stderr (its log) so far. */
  log(): string;
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the base URL once it listens; rejects if it exits first. */
  ready: Promise<string>;
  /** SIGKILLs it if it still runs, and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * The real gateway process (`node --import ./scripts/register.mjs src/main.ts`) on the test run's
 * database server, database `dbName`, a free port, no demo seed; `env` adds or overrides variables.
 */
export function spawnGateway(dbName: string, env: Record<string, string> = {}): GatewayProcess {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SCRUBBED.includes(name)));
  const child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...inherited,
      MONGODB_URI: inject('mongoUri'),
      MONGODB_DB: dbName,
      SEED_DEMO: 'false',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...PROCESS_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const listening = /GraphQL at (http:\/\/\S+)\/graphql/.exec(stderr);
      if (listening) resolve(listening[1]!);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`gateway exited (code ${code}, signal ${signal}) before listening:\n${stderr}`)),
    );
  });
  ready.catch(() => {});
  return {
    child,
    log: () => stderr,
    exited,
    ready,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface PostOptions {
  /** Sent as MS-RequestId (idempotency key). */
  requestId?: string;
  roles?: string;
}

export interface PostResult {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** POSTs one GraphQL operation as Contoso (development headers), with a fixed correlation ID. */
export async function postGraphQL(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: PostOptions = {},
): Promise<PostResult> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-partner-id': DEMO_PARTNERS.contoso.id,
      'x-partner-roles': options.roles ?? 'admin_agent',
      'x-correlation-id': 'crash-kill-test',
      ...(options.requestId ? { 'ms-requestid': options.requestId } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as PostResult['body'] };
}

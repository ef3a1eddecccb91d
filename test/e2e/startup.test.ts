// Start-up failures of the real process (`node --import ./scripts/register.mjs src/main.ts`): each is
// one line on stderr naming what to change, exit code 1, never a stack trace; and a second gateway
// on a live DATA_DIR is refused while the first keeps serving.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { PROJECT_ROOT } from '../../src/shared/config.js';

/** Variables of the test run the child must not inherit, so only what a test passes counts. */
const SCRUBBED = ['NODE_ENV', 'PORT', 'HOST', 'MONGODB_URI', 'MONGODB_DB', 'DATA_DIR', 'DB_BACKEND', 'DB_START_RETRIES', 'LOG_LEVEL'];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pcg-startup-'));
// Passable (not readable) for PostgreSQL's user when run as root, so that each DATA_DIR below keeps
// its cluster inside it, removed with it, rather than under /var/tmp (src/db/postgres.ts, clusterHome).
chmodSync(tmp, 0o711);
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function runGateway(env: Record<string, string>) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SCRUBBED.includes(name)));
  const child = spawn(process.execPath, ['--import', './scripts/register.mjs', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...inherited, LOG_LEVEL: 'info', SEED_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', () => {
      const listening = /GraphQL at (http:\/\/\S+)\/graphql/.exec(output);
      if (listening) resolve(listening[1]!);
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening:\n${output}`)));
  });
  ready.catch(() => {});
  /** What it printed, less Node's own warnings about experimental features. */
  const lines = () => output.split('\n').filter((l) => l.trim() !== '' && !/ExperimentalWarning|--trace-warnings/.test(l));
  return { child, exited, ready, lines };
}

/** One line, no stack frames. */
function expectOneLine(lines: string[]): string {
  expect(lines, lines.join('\n')).toHaveLength(1);
  expect(lines[0]).not.toMatch(/^\s+at |Error: .*\n/);
  return lines[0]!;
}

describe('start-up failures are one line', () => {
  it('a PORT in use: names the port and PORT, exit 1, found before any database is started', async () => {
    const busy = net.createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as net.AddressInfo).port)),
    );
    try {
      const dataDir = path.join(tmp, 'never-used');
      // DB_BACKEND=ferretdb: had the port been checked later, FerretDB would have made DATA_DIR.
      const gw = runGateway({ PORT: String(port), DB_BACKEND: 'ferretdb', DATA_DIR: dataDir });
      expect(await gw.exited).toBe(1);
      const line = expectOneLine(gw.lines());
      expect(line).toContain(`PORT ${port} is already in use`);
      expect(line).toContain('set PORT to a free port');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  }, 40_000);

  it('a malformed MONGODB_URI: says which forms are expected, exit 1', async () => {
    const gw = runGateway({ PORT: '0', MONGODB_URI: 'garbage' });
    expect(await gw.exited).toBe(1);
    const line = expectOneLine(gw.lines());
    expect(line).toContain('MONGODB_URI must be mongodb://host:port/db');
    expect(line).toContain('mongodb+srv://');
    expect(line).toContain("but got 'garbage'");
  }, 40_000);

  it('a MONGODB_URI whose options the driver refuses: one line too, the password hidden', async () => {
    const gw = runGateway({ PORT: '0', MONGODB_URI: 'mongodb://user:secret@127.0.0.1:1/?tls=maybe' });
    expect(await gw.exited).toBe(1);
    const line = expectOneLine(gw.lines());
    expect(line).toContain('MONGODB_URI must be mongodb://host:port/db');
    expect(line).toContain('mongodb://***@127.0.0.1:1/?tls=maybe');
    expect(line).not.toContain('secret');
  }, 40_000);
});

describe.runIf(inject('backendKind') === 'ferretdb')('a second gateway on the same DATA_DIR', () => {
  it('is refused with one line naming DATA_DIR and the first one, while the first keeps serving', async () => {
    const dataDir = path.join(tmp, 'shared');
    const first = runGateway({ PORT: '0', DB_BACKEND: 'ferretdb', DATA_DIR: dataDir, SEED_DEMO: 'true' });
    const url = await first.ready;

    const second = runGateway({ PORT: String(await freePort()), DB_BACKEND: 'ferretdb', DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    const line = expectOneLine(second.lines());
    expect(line).toBe(
      `DATA_DIR ${dataDir} is in use by another gateway (pid ${first.child.pid}), whose FerretDB keeps its data there: stop that gateway first, or set DATA_DIR to another folder such as ${dataDir}-2 (or MONGODB_URI to a database)`,
    );

    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const answer = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-partner-id': DEMO_PARTNERS.contoso.id, 'x-partner-roles': 'global_admin' },
      body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }),
    });
    const body = (await answer.json()) as { data?: { customers: { totalCount: number } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.customers.totalCount).toBeGreaterThan(0);

    // Stopped in order, the first lets go of the folder, and a new gateway may have it.
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(path.join(dataDir, 'ferretdb.lock'))).toBe(false);
    const third = runGateway({ PORT: '0', DB_BACKEND: 'ferretdb', DATA_DIR: dataDir });
    await third.ready;
    third.child.kill('SIGTERM');
    expect(await third.exited, third.lines().join('\n')).toBe(0);
  }, 90_000);

  it('a lock left by a gateway that was killed is stale: the next start takes it over', async () => {
    const dataDir = path.join(tmp, 'killed');
    const first = runGateway({ PORT: '0', DB_BACKEND: 'ferretdb', DATA_DIR: dataDir });
    await first.ready;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(path.join(dataDir, 'ferretdb.lock'))).toBe(true);
    const next = runGateway({ PORT: '0', DB_BACKEND: 'ferretdb', DATA_DIR: dataDir });
    await next.ready;
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 90_000);
});

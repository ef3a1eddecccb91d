// The lock that keeps a second gateway from starting a second FerretDB on a live DATA_DIR
// (src/db/ferretdb.ts, lockDataDir): taken, refused while its owner lives, taken over when stale.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../src/db/ferretdb.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pcg-lock-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(tmp, `data${n++}`);

/** The PID of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('DATA_DIR lock', () => {
  it('is a file naming this process, refused to a second taker while held, and removed on release', async () => {
    const dir = freshDir();
    const release = await lockDataDir(dir);
    const file = path.join(dir, 'ferretdb.lock');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    const error = await lockDataDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect((error as Error).message).toBe(
      `DATA_DIR ${dir} is in use by this process, whose FerretDB keeps its data there: stop that gateway first, or set DATA_DIR to another folder such as ${dir}-2 (or MONGODB_URI to a database)`,
    );
    release();
    expect(existsSync(file)).toBe(false);
    (await lockDataDir(dir))();
  });

  it('names the PID of another live owner', async () => {
    const dir = freshDir();
    await lockDataDir(dir).then((release) => release());
    // The parent of this test process is alive for as long as the test runs.
    writeFileSync(path.join(dir, 'ferretdb.lock'), JSON.stringify({ pid: process.ppid, started: null }));
    await expect(lockDataDir(dir)).rejects.toThrow(`is in use by another gateway (pid ${process.ppid})`);
  });

  it('takes over a stale lock, whose process is gone', async () => {
    const dir = freshDir();
    await lockDataDir(dir).then((release) => release());
    writeFileSync(path.join(dir, 'ferretdb.lock'), JSON.stringify({ pid: deadPid(), started: '1' }));
    const release = await lockDataDir(dir);
    expect(JSON.parse(readFileSync(path.join(dir, 'ferretdb.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    release();
  });

  it.runIf(existsSync('/proc/self/stat'))(
    'takes over a lock whose PID now belongs to a later process (its start time differs)',
    async () => {
      const dir = freshDir();
      await lockDataDir(dir).then((release) => release());
      writeFileSync(path.join(dir, 'ferretdb.lock'), JSON.stringify({ pid: process.ppid, started: '1' }));
      (await lockDataDir(dir))();
    },
  );

  it('takes over an unreadable lock after a moment (it may have been being written)', async () => {
    const dir = freshDir();
    await lockDataDir(dir).then((release) => release());
    writeFileSync(path.join(dir, 'ferretdb.lock'), 'garbage');
    const started = Date.now();
    const release = await lockDataDir(dir);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    release();
  });

  it('a release does not remove a lock that another process took over since', async () => {
    const dir = freshDir();
    const release = await lockDataDir(dir);
    const other = JSON.stringify({ pid: process.ppid, started: null });
    writeFileSync(path.join(dir, 'ferretdb.lock'), other);
    release();
    expect(readFileSync(path.join(dir, 'ferretdb.lock'), 'utf8')).toBe(other);
  });
});

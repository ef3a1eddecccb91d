// scripts/install-browser.mjs, run as the global setup runs it, with PATH and Playwright's folders
// pointed at temporary directories: every way it finds or installs Chromium is exercised without
// touching apt or downloading anything (Playwright's download host is a closed port).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/shared/config.js';

const SCRIPT = path.join(PROJECT_ROOT, 'scripts/install-browser.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pcg-browser-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let closedPort: number;
beforeAll(async () => {
  closedPort = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
});

let dirs = 0;
/** A fresh folder with the given executable shell scripts in it. */
function folder(scripts: Record<string, string> = {}): string {
  const dir = path.join(tmp, `d${dirs++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

const FAKE_CHROMIUM = 'echo "Chromium 999.0 (fake)"';

/** Runs the script with only the variables given (plus HOME), never able to download. */
function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SCRIPT], {
    cwd: PROJECT_ROOT,
    env: { HOME: os.homedir(), PLAYWRIGHT_DOWNLOAD_HOST: `http://127.0.0.1:${closedPort}`, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('scripts/install-browser.mjs', () => {
  it('prints a chromium found on PATH, and installs nothing', async () => {
    const bin = folder({ chromium: FAKE_CHROMIUM, 'apt-get': 'exit 99' });
    const result = await run({ PATH: bin, PLAYWRIGHT_BROWSERS_PATH: folder() });
    expect(result).toMatchObject({ code: 0, stdout: `${path.join(bin, 'chromium')}\n`, stderr: '' });
  });

  it('CHROMIUM_PATH wins, and one that does not exist is refused in one line', async () => {
    const bin = folder({ 'my-chrome': FAKE_CHROMIUM });
    const good = await run({ PATH: folder(), CHROMIUM_PATH: path.join(bin, 'my-chrome') });
    expect(good).toMatchObject({ code: 0, stdout: `${path.join(bin, 'my-chrome')}\n` });
    const bad = await run({ PATH: folder(), CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('CHROMIUM_PATH=/nonexistent/chromium is not a working browser'),
    ]);
  });

  it("uses Playwright's own Chromium when it was downloaded before", async () => {
    const browsers = folder();
    const expected = execFileSync(process.execPath, ['-e', "console.log(require('playwright-core').chromium.executablePath())"], {
      cwd: PROJECT_ROOT,
      env: { HOME: os.homedir(), PLAYWRIGHT_BROWSERS_PATH: browsers },
    })
      .toString()
      .trim();
    expect(expected.startsWith(browsers)).toBe(true);
    mkdirSync(path.dirname(expected), { recursive: true });
    writeFileSync(expected, `#!/bin/sh\n${FAKE_CHROMIUM}\n`);
    chmodSync(expected, 0o755);
    const result = await run({ PATH: folder(), PLAYWRIGHT_BROWSERS_PATH: browsers });
    expect(result).toMatchObject({ code: 0, stdout: `${expected}\n`, stderr: '' });
  });

  it("installs Debian's chromium with apt-get when apt is usable (root, or passwordless sudo)", async () => {
    const bin = folder();
    // A stand-in apt-get that records its arguments and "installs" chromium into the same folder;
    // a stand-in sudo for when the test does not run as root.
    writeFileSync(
      path.join(bin, 'apt-get'),
      `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> ${bin}/apt.log\n` +
        `if [ "$1" = install ]; then printf '#!/bin/sh\\n${FAKE_CHROMIUM}\\n' > ${bin}/chromium; /bin/chmod +x ${bin}/chromium; fi\n`,
    );
    writeFileSync(path.join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n');
    chmodSync(path.join(bin, 'apt-get'), 0o755);
    chmodSync(path.join(bin, 'sudo'), 0o755);
    const result = await run({ PATH: bin, PLAYWRIGHT_BROWSERS_PATH: folder() });
    expect(result.stderr).toContain("installing Debian's chromium with apt-get");
    expect(result).toMatchObject({ code: 0, stdout: `${path.join(bin, 'chromium')}\n` });
    expect(readFileSync(path.join(bin, 'apt.log'), 'utf8').trim().split('\n')).toEqual([
      'noninteractive update -qq',
      'noninteractive install -y -qq chromium',
    ]);
  });

  it("without apt, falls back to Playwright's download, and when that fails too says in one line what to install", async () => {
    const browsers = folder();
    const result = await run({ PATH: folder(), PLAYWRIGHT_BROWSERS_PATH: browsers });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toContain("downloading Playwright's Chromium");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('no apt-get on this machine');
    expect(lines[1]).toContain(`Playwright's download failed (Error: connect ECONNREFUSED 127.0.0.1:${closedPort})`);
    expect(lines[1]).toContain('sudo apt-get install chromium');
    expect(lines[1]).toContain('npx playwright-core install chromium');
    expect(lines[1]).toContain('CHROMIUM_PATH=');
    expect(lines[1]).not.toMatch(/\n\s+at /);
    // Nothing was downloaded, and the install lock is gone.
    expect(readdirSync(browsers).filter((f) => !f.startsWith('.'))).toEqual([]);
    expect(existsSync(path.join(PROJECT_ROOT, '.tools/install-browser.lock'))).toBe(false);
  }, 60_000);
});

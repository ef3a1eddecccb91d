#!/usr/bin/env node
// Finds, or installs once, the Chromium that the browser end-to-end tests drive with
// playwright-core (test/e2e/graphiql.test.ts, test/e2e/browser-cors.test.ts), and prints its path
// as the last line on stdout; everything else goes to stderr. In this order:
//  1. CHROMIUM_PATH, when set (nothing else is tried);
//  2. `chromium` (Debian's) or `chromium-browser` on PATH;
//  3. Playwright's own Chromium, if it was downloaded before (PLAYWRIGHT_BROWSERS_PATH or ~/.cache/ms-playwright);
//  4. Debian's `chromium` package, with apt-get, when apt is usable: as root, or with passwordless sudo;
//  5. Playwright's download (`npx playwright-core install --no-shell chromium`);
//  6. otherwise exit 1 with one line saying what to install.
// Installing takes a lock (.tools/install-browser.lock) so that parallel callers install once.
// Run by `npm run browser:chromium`, .ci/run, and the test run's global setup (test/support/browser.ts).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const say = (line) => process.stderr.write(`install-browser: ${line}\n`);

class Failure extends Error {}

/** Why a browser that is there cannot be used, for the final message. */
const problems = new Set();

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The browser's `--version` line, or null with the reason when it does not run. */
function version(executable) {
  const run = spawnSync(executable, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (run.status === 0) return { ok: (run.stdout.trim().split('\n').pop() ?? '').trim() };
  const why =
    run.error?.message ??
    (run.stderr
      .trim()
      .split('\n')
      .find((l) => !/unexpected operator/.test(l)) ||
      `exit ${run.status}`);
  return { error: why.trim() };
}

function playwright() {
  try {
    const pkg = require.resolve('playwright-core/package.json');
    return { cli: path.join(path.dirname(pkg), 'cli.js'), executable: require('playwright-core').chromium.executablePath() };
  } catch {
    return null;
  }
}

/** Steps 1-3: a Chromium already on the machine, or null. Throws when CHROMIUM_PATH names one that does not run. */
function find() {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) {
    const v = existsSync(explicit) ? version(explicit) : { error: 'no such file' };
    if (v.error) throw new Failure(`CHROMIUM_PATH=${explicit} is not a working browser (${v.error}): unset it, or point it at chromium`);
    return { path: explicit, version: v.ok };
  }
  for (const name of ['chromium', 'chromium-browser']) {
    const found = onPath(name);
    if (!found) continue;
    const v = version(found);
    if (v.ok) return { path: found, version: v.ok };
    say(`${found} does not run (${v.error}); looking further`);
  }
  const own = playwright()?.executable;
  if (own && existsSync(own)) {
    const v = version(own);
    if (v.ok) return { path: own, version: v.ok };
    problems.add(
      `Playwright's Chromium at ${own} does not run (${v.error}); it needs system libraries, which \`sudo npx playwright-core install-deps chromium\` installs`,
    );
  }
  return null;
}

/** How to run apt-get here: directly as root, through passwordless sudo, or not at all (null, with the reason). */
function apt() {
  const aptGet = onPath('apt-get');
  if (!aptGet) return { reason: 'no apt-get on this machine' };
  if (process.getuid?.() === 0) return { command: [aptGet] };
  const sudo = onPath('sudo');
  if (sudo && spawnSync(sudo, ['-n', 'true'], { stdio: 'ignore' }).status === 0) return { command: [sudo, '-n', aptGet] };
  return { reason: 'apt-get needs root, and sudo asks for a password (or is missing)' };
}

function run(command, args, env = {}) {
  say(`running ${[...command, ...args].join(' ')}`);
  const result = spawnSync(command[0], [...command.slice(1), ...args], { stdio: ['ignore', 2, 2], env: { ...process.env, ...env } });
  return result.status === 0 ? null : (result.error?.message ?? `exit ${result.status ?? result.signal}`);
}

/** Steps 4-5, under the lock; returns the reasons each way failed. */
function install() {
  const failures = [];
  const how = apt();
  if (how.command) {
    say("installing Debian's chromium with apt-get (a minute or two, once)");
    const failed =
      run(how.command, ['update', '-qq'], { DEBIAN_FRONTEND: 'noninteractive' }) ??
      run(how.command, ['install', '-y', '-qq', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' });
    if (!failed) return failures;
    failures.push(`apt-get install chromium failed (${failed})`);
  } else {
    failures.push(`Debian's chromium: ${how.reason}`);
  }
  const pw = playwright();
  if (!pw) {
    failures.push('playwright-core is not installed (run npm install)');
    return failures;
  }
  say("downloading Playwright's Chromium (npx playwright-core install --no-shell chromium, about 170 MB, once)");
  // Its output (progress bars, retries, stack traces) is kept back; a failure is told in one line.
  const download = spawnSync(process.execPath, [pw.cli, 'install', '--no-shell', 'chromium'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PLAYWRIGHT_DOWNLOAD_NO_PROGRESS: '1' },
  });
  if (download.status !== 0) {
    const output = `${download.stdout ?? ''}\n${download.stderr ?? ''}`;
    const reason =
      output.match(/^Error: (?!Failed to download|Download failure).*$/m)?.[0] ?? download.error?.message ?? `exit ${download.status}`;
    failures.push(`Playwright's download failed (${reason.trim()})`);
  }
  return failures;
}

/** An exclusive lock file holding our PID; one whose process is gone is taken over. */
async function withLock(fn) {
  const dir = path.join(root, '.tools');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'install-browser.lock');
  const deadline = Date.now() + 15 * 60_000;
  let waiting = false;
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let pid;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue; // released in the meantime
    }
    let alive = Number.isSafeInteger(pid) && pid > 0;
    if (alive) {
      try {
        process.kill(pid, 0);
      } catch (error) {
        alive = error.code === 'EPERM';
      }
    }
    if (!alive) {
      // Stale: its process is gone (or it holds no PID).
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Failure(`another install (pid ${pid}) holds ${file} for 15 minutes: remove the file if it is stale`);
    if (!waiting) say(`waiting for another install (pid ${pid}) to finish`);
    waiting = true;
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    return fn();
  } finally {
    rmSync(file, { force: true });
  }
}

async function main() {
  let found = find();
  if (!found) {
    found = await withLock(() => {
      // Another caller may have installed it while we waited for the lock.
      const again = find();
      if (again) return again;
      const failures = install();
      const installed = find();
      if (installed) return installed;
      throw new Failure(
        `no Chromium for the browser tests, and none could be installed: ${[...problems, ...failures].join('; ')}. ` +
          "Install Debian's chromium (sudo apt-get install chromium), or Playwright's (npx playwright-core install chromium, " +
          'which downloads from cdn.playwright.dev), or set CHROMIUM_PATH=/path/to/chromium',
      );
    });
    say(`installed ${found.version} at ${found.path}`);
  }
  process.stdout.write(`${found.path}\n`);
}

main().catch((error) => {
  say(error instanceof Failure ? error.message : String(error?.stack ?? error));
  process.exit(1);
});

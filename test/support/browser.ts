// The headless Chromium that the end-to-end tests needing a real browser (the GraphiQL IDE, CORS
// from another origin) drive with playwright-core. scripts/install-browser.mjs finds it, or installs
// it on first need (Debian's chromium with apt where this user may, else Playwright's download);
// the global setup runs it once per run when browser test files are in the run.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../src/shared/config.js';

export const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** What scripts/install-browser.mjs found: the browser's path, or the one line saying why there is none. */
export type ChromiumResolution = { path: string } | { error: string };

/** Whether a test file drives a browser: it imports this module. */
export function usesBrowser(testFile: string): boolean {
  try {
    return /from '(\.\.\/)+support\/browser\.js'/.test(readFileSync(testFile, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Runs scripts/install-browser.mjs (its progress goes to our stderr): finds Chromium, or installs
 * it, and never throws. Concurrent runs install once (the script takes a lock).
 */
export function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumResolution> {
  const script = path.join(PROJECT_ROOT, 'scripts/install-browser.mjs');
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [script], { cwd: PROJECT_ROOT, env, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const found = stdout.trim().split('\n').pop() ?? '';
      if (!error && found) return resolve({ path: found });
      const reason =
        stderr
          .trim()
          .split('\n')
          .pop()
          ?.replace(/^install-browser: /, '') || String(error);
      resolve({ error: `Chromium for the browser tests: ${reason}` });
    });
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  });
}

let resolution: Promise<ChromiumResolution> | undefined;

/** The global setup's answer, or (when it did not look, e.g. another config) this worker's own. */
function chromiumForRun(): Promise<ChromiumResolution> {
  resolution ??= (async () => {
    let provided: ChromiumResolution | undefined;
    try {
      provided = inject('chromium');
    } catch {
      provided = undefined;
    }
    return provided ?? resolveChromium();
  })();
  return resolution;
}

/**
 * Launches headless Chromium, or throws with the reason there is none, so that a test that needs
 * it fails with that reason rather than being skipped.
 */
export async function launchChromium(): Promise<Browser> {
  const found = await chromiumForRun();
  if ('error' in found) throw new Error(found.error);
  return chromium.launch({
    executablePath: found.path,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * Lets requests to localhost (and data:/blob: URLs) through and aborts every other one, recording
 * it in the returned list, so that a test can prove the page needs nothing from outside.
 */
export async function keepLocal(context: BrowserContext): Promise<string[]> {
  const external: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    const local = LOCAL_HOSTS.has(url.hostname) || url.protocol === 'data:' || url.protocol === 'blob:';
    if (local) await route.continue();
    else {
      external.push(url.href);
      await route.abort('blockedbyclient');
    }
  });
  return external;
}

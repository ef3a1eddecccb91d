// End-to-end check of the bundled GraphiQL IDE in Debian's headless chromium: the page loads
// from the gateway alone (every request outside localhost is recorded and aborted), opens with
// the examples and default headers, and runs the first example against the real gateway.
//
// Set GRAPHIQL_SCREENSHOT=/path/to/file.png to save a screenshot of the page after the run.
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { keepLocal, launchChromium } from '../support/browser.js';
import { startTestGateway } from '../support/gateway.js';

let gateway: Awaited<ReturnType<typeof startTestGateway>> | undefined;
let browser: Browser | undefined;

/**
 * Starts the gateway and the browser. Called from the test itself (not beforeAll) so that a
 * missing chromium shows as a failed test with the reason, never as a skipped one.
 */
async function start(): Promise<void> {
  // Side by side; both settle before returning so afterAll can close whichever one started.
  const started = await Promise.allSettled([startTestGateway().then((g) => (gateway = g)), launchChromium().then((b) => (browser = b))]);
  for (const result of started) if (result.status === 'rejected') throw result.reason;
}

afterAll(async () => {
  await Promise.allSettled([browser?.close(), gateway?.close()]);
});

/** Visible text of a Monaco editor inside `selector` (Monaco renders spaces as U+00A0). */
function editorText(page: Page, selector: string): Promise<string> {
  return page
    .locator(`${selector} .view-lines`)
    .first()
    .evaluate((el) => (el as HTMLElement).innerText.replace(/\u00a0/g, ' '));
}

describe('GraphiQL IDE', () => {
  it('loads from the gateway alone and runs the first example with the default headers', async () => {
    await start();
    let external: string[] = [];
    const failed: string[] = [];
    const problems: string[] = [];
    const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
    try {
      // Every request: http(s)/ws to localhost goes through, anything else is recorded and aborted.
      external = await keepLocal(context);
      const page = await context.newPage();
      page.on('requestfailed', (req) => failed.push(`${req.url()} (${req.failure()?.errorText})`));
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        // CSP violations are reported on the console; so are failures to start a worker.
        if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) {
          problems.push(`console ${msg.type()}: ${msg.text()}`);
        }
      });

      const ide = await page.goto(`${gateway!.url}/graphiql`);
      expect(ide?.status(), 'GET /graphiql').toBe(200);
      const csp = ide?.headers()['content-security-policy'] ?? '';
      expect(csp).toContain("connect-src 'self'");

      const config = JSON.parse((await page.locator('#graphiql-config').textContent()) ?? 'null') as {
        endpoint: string;
        defaultHeaders: Record<string, string>;
        examples: { query: string }[];
      };
      expect(config.examples.length).toBeGreaterThan(0);

      // The first example is the active tab; the headers editor holds the default headers.
      await page.waitForSelector('.graphiql-query-editor .monaco-editor .view-lines', { timeout: 15_000 });
      await page.waitForFunction(
        () => document.querySelector('.graphiql-query-editor .view-lines')?.textContent?.includes('viewer'),
        undefined,
        { timeout: 10_000 },
      );
      expect(await editorText(page, '.graphiql-query-editor')).toContain('query Viewer');
      expect(await page.locator('.graphiql-tab').count()).toBe(config.examples.length);
      // The editor tools open on the headers editor (the variables editor is the hidden one).
      const headersText = await editorText(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)');
      for (const name of Object.keys(config.defaultHeaders)) expect(headersText).toContain(`"${name}"`);

      // Run it (the execute button; Ctrl+Enter does the same) and watch the wire and the pane.
      const response = page.waitForResponse(
        (res) => res.request().method() === 'POST' && res.request().postData()?.includes('"operationName":"Viewer"') === true,
        { timeout: 10_000 },
      );
      await page.locator('.graphiql-execute-button').click();
      const res = await response;
      const sentHeaders = await res.request().allHeaders();
      for (const [name, value] of Object.entries(config.defaultHeaders)) {
        expect(sentHeaders[name.toLowerCase()], `header ${name} sent from the headers editor`).toBe(value);
      }
      expect(await res.json()).toEqual({ data: { viewer: { partner: { name: 'Contoso Cloud Services' } } } });

      await page.waitForFunction(
        () => document.querySelector('.graphiql-response .view-lines')?.textContent?.includes('Contoso'),
        undefined,
        { timeout: 10_000 },
      );
      const result = await editorText(page, '.graphiql-response');
      expect(result).toContain('"name": "Contoso Cloud Services"');
      expect(result).not.toContain('"errors"');

      if (process.env.GRAPHIQL_SCREENSHOT) await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT });

      expect(external, 'requests to outside localhost').toEqual([]);
      expect(failed, 'failed requests').toEqual([]);
      expect(problems, 'console errors and CSP violations').toEqual([]);
    } catch (err) {
      const shot = path.join(os.tmpdir(), 'graphiql-e2e-failure.png');
      await context
        .pages()[0]
        ?.screenshot({ path: shot })
        .catch(() => {});
      if (err instanceof Error)
        err.message += `\n(screenshot: ${shot}; external: ${JSON.stringify(external)}; problems: ${JSON.stringify(problems)})`;
      throw err;
    } finally {
      await context.close();
    }
  });
});

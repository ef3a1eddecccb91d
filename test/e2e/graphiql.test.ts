// End-to-end check of the bundled GraphiQL IDE in Debian's headless chromium: the page loads
// from the gateway alone (every request outside localhost is recorded and aborted), opens with
// the `open` examples as tabs that fit the tab strip at 1,400 px, lists every example by group in
// its Examples pane, runs the first example with the default headers, and runs a tab with a setup
// (Cancel: the IDE buys the subscription it cancels) against the real gateway on the demo world.
//
// Set GRAPHIQL_SCREENSHOT=/path/to/file.png to save a screenshot of the page after the run.
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { seedWorld } from '../../src/seed/generate.js';
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
  const demo = async (cols: Parameters<typeof seedWorld>[0]) => void (await seedWorld(cols, { customers: 40, seed: 'demo' }));
  const started = await Promise.allSettled([
    startTestGateway(demo).then((g) => (gateway = g)),
    launchChromium().then((b) => (browser = b)),
  ]);
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
  it(
    'loads from the gateway alone, opens the examples that fit the tab strip, and runs the first one and a tab with a setup',
    { timeout: 60_000 },
    async () => {
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
          examples: { title: string; group: string; open?: boolean; query: string; setup?: unknown }[];
        };
        expect(config.examples.length).toBeGreaterThan(0);
        const opened = config.examples.filter((e) => e.open);
        expect(opened.length).toBeGreaterThan(1);
        expect(opened.length).toBeLessThan(config.examples.length);

        // The first example is the active tab; the headers editor holds the default headers.
        await page.waitForSelector('.graphiql-query-editor .monaco-editor .view-lines', { timeout: 15_000 });
        await page.waitForFunction(
          () => document.querySelector('.graphiql-query-editor .view-lines')?.textContent?.includes('viewer'),
          undefined,
          { timeout: 10_000 },
        );
        expect(await editorText(page, '.graphiql-query-editor')).toContain('query Viewer');
        expect(await page.locator('.graphiql-tab').count()).toBe(opened.length);
        // The tabs fit the strip: nothing to scroll to at 1,400 px.
        const strip = await page.locator('.graphiql-tabs').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
        expect(strip.scroll, 'tab strip overflow').toBeLessThanOrEqual(strip.client);
        // The Examples pane lists every example under its group.
        const pane = page.locator('.pcgw-examples');
        await pane.waitFor({ timeout: 10_000 });
        const groups = [...new Set(config.examples.map((e) => e.group))];
        expect(await pane.locator('h3').allTextContents()).toEqual(groups);
        expect(await pane.locator('button.pcgw-example').allTextContents()).toEqual(
          groups.flatMap((g) => config.examples.filter((e) => e.group === g).map((e) => e.title)),
        );
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

        // An example from the pane opens in a new tab.
        await pane.getByRole('button', { name: 'Pause', exact: true }).click();
        await page.waitForFunction(
          () => document.querySelector('.graphiql-query-editor .view-lines')?.textContent?.includes('pauseSubscription'),
          undefined,
          {
            timeout: 10_000,
          },
        );
        expect(await page.locator('.graphiql-tab').count()).toBe(opened.length + 1);

        // The Cancel tab runs its setup first: the IDE buys a subscription, and the tab cancels that one, refunded in full.
        await page.locator('.graphiql-tab-button', { hasText: /^Cancel$/ }).click();
        await page.waitForFunction(
          () => document.querySelector('.graphiql-query-editor .view-lines')?.textContent?.includes('cancelSubscription'),
          undefined,
          {
            timeout: 10_000,
          },
        );
        const posted: string[] = [];
        page.on('request', (req) => {
          if (req.method() === 'POST') posted.push(/"operationName":"(\w+)"/.exec(req.postData() ?? '')?.[1] ?? '?');
        });
        const cancelled = page.waitForResponse(
          (res) => res.request().method() === 'POST' && res.request().postData()?.includes('"operationName":"Cancel"') === true,
          { timeout: 15_000 },
        );
        await page.locator('.graphiql-execute-button').click();
        const cancelBody = (await (await cancelled).json()) as { data: { cancelSubscription: { rule: string; userErrors: unknown[] } } };
        expect(cancelBody.data.cancelSubscription).toMatchObject({ rule: 'CANCEL-NCE-24H', userErrors: [] });
        expect(posted.filter((name) => name !== 'IntrospectionQuery')).toEqual(['SetupBuySubscription', 'Cancel']);
        await page.waitForFunction(
          () => document.querySelector('.graphiql-response .view-lines')?.textContent?.includes('CANCEL-NCE-24H'),
          undefined,
          {
            timeout: 10_000,
          },
        );

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
    },
  );
});

import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { PROJECT_ROOT } from '../shared/config.js';

import type { GraphiQLExample } from './examples.js';

export type { GraphiQLExample };

export interface GraphiQLRouterOptions {
  /** GraphQL endpoint the IDE posts to: a path on this server (e.g. '/graphql'). */
  endpoint: string;
  /** Prefilled in the headers editor of every tab. */
  defaultHeaders: Record<string, string>;
  /** The examples, in order (the `open` ones are the first tabs; the first is active). A function is called per page load (examples filled from live data). */
  examples: GraphiQLExample[] | (() => Promise<GraphiQLExample[]>);
}

/** Where scripts/build-graphiql.mjs (`npm run build:ide`) writes the bundle. */
export const GRAPHIQL_DIST_DIR = path.join(PROJECT_ROOT, 'dist/graphiql');

/** JSON that is safe inside a <script> element: no `</script>`, `<!--` or line separators. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeAttr(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The page loads only from its own origin. Monaco needs inline styles (it sets style attributes
 * and injects <style> elements); graphiql's stylesheet inlines its fonts and icons as data: URLs.
 * The workers are plain same-origin scripts, so no blob: is needed.
 */
function contentSecurityPolicy(endpoint: string): string {
  const connect = ["'self'"];
  // An absolute endpoint on another origin has to be allowed explicitly.
  if (/^https?:\/\//i.test(endpoint)) connect.push(new URL(endpoint).origin);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function renderPage(baseUrl: string, options: GraphiQLRouterOptions & { examples: GraphiQLExample[] }): string {
  const base = escapeAttr(baseUrl);
  const config = {
    endpoint: options.endpoint,
    defaultHeaders: options.defaultHeaders,
    examples: options.examples,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · Partner Center gateway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/app.css">
<script id="graphiql-config" type="application/json">${jsonForScript(config)}</script>
<script type="module" src="${base}/app.js"></script>
</head>
<body>
<div id="graphiql"></div>
</body>
</html>
`;
}

/**
 * The bundled GraphiQL IDE: GET / is the page (config embedded as JSON), everything else the
 * static files of dist/graphiql/. Mount it where the IDE should live:
 *
 *   app.use('/graphiql', graphiqlRouter({ endpoint: '/graphql', defaultHeaders, examples }));
 *
 * Answers 503 while the bundle has not been built (`npm run build:ide`).
 */
export function graphiqlRouter(options: GraphiQLRouterOptions): express.Router {
  const router = express.Router();
  const csp = contentSecurityPolicy(options.endpoint);
  const appJs = path.join(GRAPHIQL_DIST_DIR, 'app.js');

  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // Checked per request, so building the bundle does not need a restart.
    if (!existsSync(appJs)) {
      // Unauthenticated: the answer names the command, never the folder (no paths to strangers).
      res.status(503).type('text/plain').send('GraphiQL is not built on this server. Run `npm run build:ide` in its checkout.\n');
      return;
    }
    next();
  });

  router.get('/', async (req, res, next) => {
    try {
      const examples = typeof options.examples === 'function' ? await options.examples() : options.examples;
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(renderPage(req.baseUrl, { ...options, examples }));
    } catch (error) {
      next(error);
    }
  });

  router.use(express.static(GRAPHIQL_DIST_DIR, { index: false, redirect: false }));
  return router;
}

/**
 * Browser entry of the bundled GraphiQL IDE (built by scripts/build-graphiql.mjs into
 * dist/graphiql/app.js, served by graphiql.router.ts). Nothing here loads from outside the
 * page's own origin: the Monaco workers are bundled next to app.js.
 */
import { createGraphiQLFetcher, type Storage } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import './page.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

export interface GraphiQLExample {
  title: string;
  query: string;
  variables?: string;
}

/** Shape of the JSON in `<script id="graphiql-config" type="application/json">`. */
export interface GraphiQLPageConfig {
  endpoint: string;
  defaultHeaders: Record<string, string>;
  examples: GraphiQLExample[];
}

// Monaco asks for a worker per language; they sit next to this script (dist/graphiql/).
// Must be set before any editor is created, i.e. before GraphiQL renders.
const workerUrl = (file: string): URL => new URL(`./${file}`, import.meta.url);
globalThis.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    switch (label) {
      case 'json':
        return new Worker(workerUrl('json.worker.js'));
      case 'graphql':
        return new Worker(workerUrl('graphql.worker.js'));
      default:
        return new Worker(workerUrl('editor.worker.js'));
    }
  },
};

function readConfig(): GraphiQLPageConfig {
  const el = document.getElementById('graphiql-config');
  if (!el?.textContent) throw new Error('GraphiQL: missing <script id="graphiql-config">');
  const raw = JSON.parse(el.textContent) as Partial<GraphiQLPageConfig>;
  return {
    endpoint: typeof raw.endpoint === 'string' && raw.endpoint ? raw.endpoint : '/graphql',
    defaultHeaders: raw.defaultHeaders && typeof raw.defaultHeaders === 'object' ? raw.defaultHeaders : {},
    examples: Array.isArray(raw.examples) ? raw.examples : [],
  };
}

/** Small stable hash (FNV-1a) so stored tabs belong to one configuration of the IDE. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * localStorage under a prefix derived from the endpoint and the examples: GraphiQL prefers
 * stored tabs over `defaultTabs`, so without this a changed set of examples would never show
 * in a browser that had opened the IDE before. Falls back to memory when localStorage is
 * unavailable (private mode, sandboxed frames).
 */
function namespacedStorage(namespace: string): Storage {
  let ls: Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;
  try {
    ls = window.localStorage;
    ls.getItem('probe');
  } catch {
    const mem = new Map<string, string>();
    ls = {
      getItem: (key) => mem.get(key) ?? null,
      setItem: (key, value) => void mem.set(key, value),
      removeItem: (key) => void mem.delete(key),
      key: (index) => [...mem.keys()][index] ?? null,
      get length() {
        return mem.size;
      },
    };
  }
  const prefix = `pcgw:${namespace}:`;
  const ownKeys = (): string[] => {
    const keys: string[] = [];
    for (let i = 0; i < ls.length; i++) {
      const key = ls.key(i);
      if (key?.startsWith(prefix)) keys.push(key);
    }
    return keys;
  };
  return {
    getItem: (key) => ls.getItem(prefix + key),
    setItem: (key, value) => ls.setItem(prefix + key, value),
    removeItem: (key) => ls.removeItem(prefix + key),
    clear: () => ownKeys().forEach((key) => ls.removeItem(key)),
    get length() {
      return ownKeys().length;
    },
  };
}

const config = readConfig();
const headersJson = Object.keys(config.defaultHeaders).length ? JSON.stringify(config.defaultHeaders, null, 2) : undefined;
// Created once: GraphiQL refetches the schema whenever the fetcher identity changes.
const fetcher = createGraphiQLFetcher({ url: config.endpoint });
const defaultTabs = config.examples.map((example) => ({
  query: example.query,
  variables: example.variables ?? null,
  headers: headersJson ?? null,
}));
const storage = namespacedStorage(fnv1a(JSON.stringify([config.endpoint, config.examples])));

const container = document.getElementById('graphiql');
if (!container) throw new Error('GraphiQL: missing #graphiql container');
createRoot(container).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      // Used only when there are no stored tabs; the first tab is the active one.
      defaultTabs={defaultTabs.length ? defaultTabs : undefined}
      // Headers of new tabs and of stored tabs (GraphiQL does not persist headers by default).
      defaultHeaders={headersJson}
      defaultEditorToolsVisibility={headersJson ? 'headers' : undefined}
      storage={storage}
    />
  </StrictMode>,
);

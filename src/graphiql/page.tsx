/**
 * Browser entry of the bundled GraphiQL IDE (built by scripts/build-graphiql.mjs into
 * dist/graphiql/app.js, served by graphiql.router.ts). Nothing here loads from outside the
 * page's own origin: the Monaco workers are bundled next to app.js.
 */
import { useGraphiQL, useGraphiQLActions, type GraphiQLPlugin } from '@graphiql/react';
import { createGraphiQLFetcher, type Fetcher, type Storage } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import './page.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { operationNameOf, operationToRun, runWithSetup, type ExampleSetup, type GraphiQLExample, type GraphQLAnswer } from './examples.js';

export type { GraphiQLExample };

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

/**
 * The endpoint's fetcher, running an example's setup first (examples.ts, runWithSetup) when the
 * operation is one of the examples with a setup, found by its operation name. Created once:
 * GraphiQL refetches the schema whenever the fetcher identity changes.
 */
const endpointFetcher = createGraphiQLFetcher({ url: config.endpoint });
// One plain JSON answer per request (no multipart stream), so the setup's answer can be read before the tab runs.
const plainFetcher = createGraphiQLFetcher({ url: config.endpoint, enableIncrementalDelivery: false });
const setups = new Map<string, ExampleSetup>();
for (const example of config.examples) {
  const name = operationNameOf(example.query);
  if (name && example.setup) setups.set(name, example.setup);
}
const fetcher: Fetcher = (params, opts) => {
  const name = operationToRun(params.query, params.operationName);
  const setup = name ? setups.get(name) : undefined;
  if (!setup) return endpointFetcher({ ...params, operationName: name ?? undefined }, opts);
  const execute = async (request: { query: string; variables: Record<string, unknown>; operationName?: string | null }) =>
    (await plainFetcher(request, opts)) as GraphQLAnswer;
  const variables = (params.variables ?? {}) as Record<string, unknown>;
  return runWithSetup({ query: params.query, variables, operationName: name }, setup, execute) as ReturnType<Fetcher>;
};

// The first tabs are the examples marked `open` (they fit the tab strip); the rest are in the Examples pane.
const opened = config.examples.filter((example) => example.open);
const defaultTabs = (opened.length ? opened : config.examples).map((example) => ({
  query: example.query,
  variables: example.variables ?? null,
  headers: headersJson ?? null,
}));

function ExamplesIcon() {
  return (
    <svg height="1em" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <path d="M4 5h16M4 10h16M4 15h10M4 20h7" strokeLinecap="round" />
    </svg>
  );
}

/** Every example by group; a click switches to its tab, opening it when it is not open yet. */
function ExamplesPane() {
  const { addTab, changeTab } = useGraphiQLActions();
  const tabs = useGraphiQL((state) => state.tabs);
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const variableEditor = useGraphiQL((state) => state.variableEditor);
  const groups = [...new Set(config.examples.map((example) => example.group))];
  const open = (example: GraphiQLExample) => {
    const index = tabs.findIndex((tab) => tab.query === example.query);
    if (index >= 0) return changeTab(index);
    addTab();
    queryEditor?.setValue(example.query);
    variableEditor?.setValue(example.variables ?? '');
  };
  return (
    <section className="pcgw-examples" aria-label="Examples">
      <div className="graphiql-doc-explorer-title">Examples</div>
      <p>Each opens in a tab. Tabs that change something make what they act on first: see their comment.</p>
      {groups.map((group) => (
        <div key={group}>
          <h3>{group}</h3>
          <ul>
            {config.examples
              .filter((example) => example.group === group)
              .map((example) => (
                <li key={example.title}>
                  <button type="button" className="pcgw-example" onClick={() => open(example)}>
                    {example.title}
                  </button>
                </li>
              ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

const examplesPlugin: GraphiQLPlugin = { title: 'Examples', icon: ExamplesIcon, content: ExamplesPane };
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
      plugins={config.examples.length ? [examplesPlugin] : []}
      visiblePlugin={config.examples.length ? examplesPlugin : undefined}
    />
  </StrictMode>,
);

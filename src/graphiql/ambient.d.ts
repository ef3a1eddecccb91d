// Local declarations for the browser bundle in page.tsx.

/** Stylesheets imported for their side effect; esbuild bundles them into app.css. */
declare module '*.css' {}

/** Monaco's hook for creating its web workers (monaco-editor's own types are not in scope). */
declare var MonacoEnvironment:
  | { getWorker?(workerId: string, label: string): Worker | Promise<Worker> }
  | undefined;

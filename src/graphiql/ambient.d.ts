// Local declarations for the browser bundle in page.tsx.

/** Stylesheets imported for their side effect; esbuild bundles them into app.css. */
declare module '*.css' {}

/** Monaco's hook for creating its web workers (monaco-editor's own types are not in scope). */
// eslint-disable-next-line no-var -- a global augmented by `var` is the only form TypeScript accepts
declare var MonacoEnvironment: { getWorker?(workerId: string, label: string): Worker | Promise<Worker> } | undefined;

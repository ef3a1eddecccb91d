import { byIdLoader, type LazyLoaders, type LoaderDeps } from '../read/loader-utils.js';

/** Factories over a request's deps: `createLoaders` (src/app/context.ts) calls each on first use in a request. */
export const customerLoaders = {
  customerById: (d: LoaderDeps) => byIdLoader(d.cols.customers, { partnerId: d.partnerId }, 'customer', d.planner),
};

declare module '../shared/context.js' {
  interface RequestLoaders extends LazyLoaders<typeof customerLoaders> {}
}

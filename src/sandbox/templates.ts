/**
 * Sandbox templates (docs/sandboxes.md, "Templates"): what a new sandbox starts with. EMPTY is a
 * partner with no customers; DEMO the demo world's customers (its seed and size); GENERATED a world
 * of `customers` customers from `seed`.
 *
 * The worlds come from the seeder (src/seed/), which the runtime does not import: main.ts and the
 * tests' gateway hand its generator to createGateway as `sandboxWorlds`. A generated world is the
 * sandbox partner's alone (only tenant documents, each with its partnerId, so deleteSandbox and the
 * purge remove a half-written one), its dates derived from the sandbox's clockStart. The same
 * template, seed, clockStart and partner type give the same names, domains, offers, quantities,
 * dates and amounts in every sandbox; IDs are keyed by the sandbox's partner ID as well, because
 * Partner Center's IDs are global.
 */
import type { Collection, Document } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { PartnerDoc } from '../db/documents.js';
import { badUserInput } from '../shared/errors.js';
import type { TENANT_COLLECTIONS } from './sandbox.repository.js';

export type SandboxTemplate = 'empty' | 'demo' | 'generated';

/** The longest `seed` a GENERATED sandbox may name. */
export const MAX_SEED_LENGTH = 64;

/** One collection's batch of a sandbox world: documents of a tenant collection, every one with the sandbox's partnerId. */
export interface SandboxWorldBatch {
  collection: (typeof TENANT_COLLECTIONS)[number];
  docs: Document[];
}

export interface SandboxWorldRequest {
  /** The sandbox's partner, as it will be written: every customer is its. */
  partner: PartnerDoc;
  seed: string;
  customers: number;
  /** The sandbox's clockStart: every date of the world is derived from it. */
  now: Date;
}

/** The seeder's side of the templates, filled by main.ts (and the tests' gateway) from src/seed/. */
export interface SandboxWorlds {
  /** The DEMO template: the seed and size of the world `npm start` seeds. */
  demo: { seed: string; customers: number };
  /** A deterministic world for one sandbox partner, as batches; generated lazily, so memory stays bounded. */
  generate(request: SandboxWorldRequest): Iterable<SandboxWorldBatch>;
}

export interface TemplateInput {
  template: SandboxTemplate;
  /** GENERATED only. */
  customers: number | null;
  /** GENERATED only. */
  seed: string | null;
}

/** What a template asks the sandbox to be filled with: nothing, or a world of the seeder's. */
export type WorldPlan =
  | { template: 'empty'; seed: null; customers: 0 }
  | { template: 'demo' | 'generated'; seed: string; customers: number; worlds: SandboxWorlds };

/**
 * Checks the template's fields before anything is written; throws BAD_USER_INPUT naming the field
 * and what it expects. `worlds` absent: this gateway was built without the seeder, EMPTY only.
 */
export function planWorld(input: TemplateInput, maxCustomers: number, worlds: SandboxWorlds | undefined): WorldPlan {
  const { template, customers, seed } = input;
  if (template !== 'generated') {
    const TEMPLATE = template.toUpperCase();
    for (const [field, value] of [
      ['customers', customers],
      ['seed', seed],
    ] as const) {
      if (value !== null) {
        throw badUserInput(
          `Argument 'input.${field}' is for template GENERATED only; template ${TEMPLATE} takes no ${field}${template === 'demo' ? ' (it is the demo world’s)' : ''}: leave it out`,
          { argumentName: `input.${field}` },
        );
      }
    }
  } else {
    if (customers === null || !Number.isInteger(customers) || customers < 1 || customers > maxCustomers) {
      throw badUserInput(
        `Argument 'input.customers' must be an integer from 1 to ${maxCustomers} (SANDBOX_MAX_CUSTOMERS) with template GENERATED, but got ${customers === null ? 'none' : customers}`,
        { argumentName: 'input.customers' },
      );
    }
    if (seed === null || seed.length === 0 || seed.length > MAX_SEED_LENGTH) {
      throw badUserInput(
        `Argument 'input.seed' must be a string of 1 to ${MAX_SEED_LENGTH} characters with template GENERATED, but got ${seed === null ? 'none' : `${seed.length} characters`}`,
        { argumentName: 'input.seed' },
      );
    }
  }
  if (template === 'empty') return { template, seed: null, customers: 0 };
  if (!worlds) {
    throw badUserInput(`Argument 'input.template' must be EMPTY on this gateway: it was started without the seeder's worlds`, {
      argumentName: 'input.template',
    });
  }
  return template === 'demo' ? { template, ...worlds.demo, worlds } : { template, seed: seed!, customers: customers!, worlds };
}

/**
 * Writes the planned world of `partner` with unordered insertMany, a batch per collection, up to
 * two in flight so that generating the next overlaps the database's work. Not idempotent: on a
 * failure part of the world may be written, which the caller discards with the sandbox (every
 * document carries the partnerId). Returns the documents written.
 */
export async function writeWorld(cols: Collections, worlds: SandboxWorlds, request: SandboxWorldRequest): Promise<number> {
  let written = 0;
  let failure: unknown = null;
  const inFlight: Promise<void>[] = [];
  try {
    for (const batch of worlds.generate(request)) {
      if (batch.docs.length === 0) continue;
      const col = cols[batch.collection] as unknown as Collection<Document>;
      const docs = batch.docs;
      inFlight.push(
        col.insertMany(docs, { ordered: false }).then(
          () => void (written += docs.length),
          (error: unknown) => void (failure ??= error),
        ),
      );
      if (inFlight.length >= 2) await inFlight.shift();
      if (failure) break;
    }
  } finally {
    // Even when generating throws: a write still in flight would land after the caller's discard.
    await Promise.all(inFlight);
  }
  if (failure) throw failure;
  return written;
}

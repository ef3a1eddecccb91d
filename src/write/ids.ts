/**
 * IDs of the documents an operation inserts. Every ID is derived from `${operationId}:${kind}:${n}`
 * by SHA-256, so replaying an operation (or deciding it again with the same operation ID) names the
 * same documents, and an insert that already happened collides on `_id` instead of duplicating.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IdSource } from '../policy/effects.js';

function digest(operationId: string, kind: string, n: number): Buffer {
  return createHash('sha256').update(`${operationId}:${kind}:${n}`).digest();
}

/** A GUID in version-4 form (version nibble 4, variant nibble 8), as Partner Center subscription IDs look. */
function guidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Deterministic: the same operation ID always gives the same IDs; different kinds or `n` never collide in practice. */
export function idSourceFor(operationId: string): IdSource {
  return {
    customer: (n) => guidFrom(digest(operationId, 'customer', n).toString('hex')),
    subscription: (n) => guidFrom(digest(operationId, 'subscription', n).toString('hex')),
    order: (n) => digest(operationId, 'order', n).toString('hex').slice(0, 12),
    token: (n) => digest(operationId, 'token', n).toString('base64url'),
  };
}

/** A fresh ID for an operation a caller asked for (mutations); lifecycle events derive theirs from the event. */
export function newOperationId(): string {
  return randomUUID();
}

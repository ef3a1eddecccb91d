import { ClientError } from '../shared/errors.js';

/**
 * The one error every static limit reports: code QUERY_TOO_COMPLEX (HTTP 400), a message that
 * names the limit and the value found, and both as data for clients that branch on them.
 */
export function tooComplex(limit: string, what: string, maximum: number, found: number): ClientError {
  const shown = Number.isFinite(found) ? String(found) : 'more than can be counted';
  return new ClientError('QUERY_TOO_COMPLEX', `${what} must be at most ${maximum}, but got ${shown}`, {
    limit,
    maximum,
    found: Number.isFinite(found) ? found : null,
  });
}

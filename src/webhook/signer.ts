/**
 * Webhook signatures (docs/webhooks.md, "Verifying a delivery"), Stripe's scheme: the header
 * `X-PCG-Signature: t=<unix seconds>,v1=<hex>` where hex = HMAC-SHA256(secret, `${t}.${body}`).
 * The timestamp is signed with the body, so a receiver that refuses old timestamps refuses replays.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-PCG-Signature';
export const EVENT_ID_HEADER = 'X-PCG-Event-Id';
export const EVENT_NAME_HEADER = 'X-PCG-Event-Name';
export const DELIVERY_ATTEMPT_HEADER = 'X-PCG-Delivery-Attempt';

/** A new signing secret: 32 random bytes, base64url, with a prefix that says what it is. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signatureHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The header value for `body` signed at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureHex(secret, timestamp, body)}`;
}

/**
 * What a receiver does (the docs' ten lines do the same): true when `header` carries a `v1`
 * signature of `body` at its `t` under `secret`, and `t` is within `toleranceSeconds` of `nowSeconds`.
 */
export function verifySignature(input: {
  secret: string;
  header: string;
  body: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const { secret, header, body, nowSeconds, toleranceSeconds = 300 } = input;
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || typeof parts.v1 !== 'string') return false;
  const expected = Buffer.from(signatureHex(secret, t, body), 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

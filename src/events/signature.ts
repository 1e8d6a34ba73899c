import { createHmac, randomBytes } from 'node:crypto';

// Standard Webhooks 1.0 (https://www.standardwebhooks.com, spec/standard-webhooks.md,
// "Signature scheme"): the signed content is `${webhook-id}.${webhook-timestamp}.${body}`,
// signed with HMAC-SHA256 under the secret's bytes (the base64 after `whsec_`); the header
// `webhook-signature` is a space-delimited list of `v1,<base64 signature>` so that, while a
// rotated secret is still valid, each receiver verifies with whichever one it holds.

export const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: 32 random bytes (the spec asks for 24 to 64), base64, `whsec_` prefix. */
export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('not a whsec_ secret');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** `v1,<sig>` for each secret, space-separated. `timestamp` is in seconds since the epoch. */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  const content = `${id}.${timestamp}.${body}`;
  return secrets.map((s) => `v1,${createHmac('sha256', keyOf(s)).update(content).digest('base64')}`).join(' ');
}

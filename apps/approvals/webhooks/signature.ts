import { createHmac } from 'node:crypto';

/** The prefix of a Standard Webhooks secret; the rest is the signing key, base64. */
export const SECRET_PREFIX = 'whsec_';

/** A secret as shown once to its subscriber: `whsec_` + base64 of the key. */
export function secretOf(key: Buffer): string {
  return `${SECRET_PREFIX}${key.toString('base64')}`;
}

/** The headers of one attempt, per Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret's key. */
export function signedHeaders(secret: string, id: string, timestamp: Date, body: string): Record<string, string> {
  const seconds = String(Math.floor(timestamp.getTime() / 1000));
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${seconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': seconds, 'webhook-signature': `v1,${signature}` };
}

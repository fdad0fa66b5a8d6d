import { hash } from 'node:crypto';

/**
 * A UUID derived from names (RFC 4122 version 5 layout over sha256): the same names always give
 * the same id. Used where a retry or a second instance must produce the very same event id, so the
 * ledger records the event once (published definitions, fired timers).
 */
export function deterministicUuid(...names: string[]): string {
  const hex = hash('sha256', names.join('\u0000'));
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

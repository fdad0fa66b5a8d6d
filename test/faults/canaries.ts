import { randomBytes } from 'node:crypto';
import type { ExceptionRef } from '@workgate/contracts';

/**
 * Canary secrets: unique strings, credential-shaped or plain, each registered with the surfaces
 * where it may appear, and the check that finds them where they may not.
 */

/** Where what workgate shows can be read; see test/faults/secrets.e2e-spec.ts for where a canary may appear. */
export const SURFACES = ['logs', 'notifications', 'delivery', 'errors', 'views', 'receipts', 'approvals'] as const;
export type Surface = (typeof SURFACES)[number];

export interface Canary {
  label: string;
  /** What is searched for (case-insensitively): the secret part of what was sent. */
  token: string;
  /** What was sent. */
  text: string;
  /** Surfaces where this canary may appear (test/faults/secrets.e2e-spec.ts). */
  allowed: Surface[];
  /** Sent in a command the ledger records: must be in the ops lead's ledger events. */
  recorded: boolean;
  /** Sent in a refused event: must be in the raw rejections. */
  rejected: boolean;
}

export const canaries: Canary[] = [];
const hex = (n: number) => randomBytes(n).toString('hex');
export function canary(
  label: string,
  shape: 'password' | 'bearer' | 'aws' | 'url' | 'plain',
  options: { allowed?: Surface[]; recorded?: boolean; rejected?: boolean } = {},
): string {
  const token =
    shape === 'aws'
      ? `AKIA${randomBytes(10)
          .toString('base64')
          .replace(/[^A-Za-z0-9]/g, '')
          .toUpperCase()
          .padEnd(16, 'Q')
          .slice(0, 16)}`
      : `cy${hex(8)}`;
  const text = {
    password: `password=${token}`,
    bearer: `Bearer ${token}`,
    aws: token,
    url: `https://svc-export:${token}@files.example.com/export.csv`,
    plain: token,
  }[shape];
  canaries.push({
    label,
    token,
    text,
    allowed: options.allowed ?? [],
    recorded: options.recorded ?? true,
    rejected: options.rejected ?? false,
  });
  return text;
}

/** What a surface showed: `where` says which answer or stream it was (for the failure message only). */
export interface Shown {
  where: string;
  text: string;
}

/** Canaries found in what `surface` showed where it does not allow them, each with where and around what. */
export function leaks(surface: Surface, shown: Shown[]): string[] {
  return shown.flatMap(({ where, text }) => {
    const lower = text.toLowerCase();
    return canaries
      .filter((c) => !c.allowed.includes(surface) && lower.includes(c.token.toLowerCase()))
      .map((c) => {
        const at = lower.indexOf(c.token.toLowerCase());
        return `${surface}: ${c.label} (${where}) …${text.slice(Math.max(0, at - 80), at + c.token.length + 20)}…`;
      });
  });
}

export const showing = (shown: Shown[]) => shown.map((s) => s.text).join('\n');

/** The ids a command's answer may carry: its receipt, the exceptions it raised, the post-review it opened. */
export interface AnswerIds {
  receiptId?: string;
  exception?: ExceptionRef;
  exceptions?: ExceptionRef[];
  postReview?: { id: string };
}

import { NOTIFICATION_TYPES } from '@workgate/contracts';

/** What a subscription asks for: notification types or dotted prefixes of them (`approval`), and optionally whom they must be addressed to. */
export interface Interest {
  events: string[];
  principals?: string[];
}

/** Whether an `events` entry takes a notification type: `*`, the type itself, or a dotted prefix of it. */
export function entryMatches(entry: string, type: string): boolean {
  return entry === '*' || entry === type || type.startsWith(`${entry}.`);
}

/** The `events` entries that match no notification type (a typo would otherwise subscribe to nothing, silently). */
export function unknownEntries(events: string[]): string[] {
  return events.filter((entry) => !NOTIFICATION_TYPES.some((type) => entryMatches(entry, type)));
}

/** Whether a subscription receives a notification of `type` addressed to `to`. */
export function wants(interest: Interest, type: string, to: string[]): boolean {
  if (!interest.events.some((entry) => entryMatches(entry, type))) return false;
  return !interest.principals || interest.principals.some((p) => to.includes(p));
}

import { canonicalize } from 'json-canonicalize';
import { ChangeEffect, DefinitionChange } from '@workgate/contracts';
import { parseDuration } from '../definition/duration';

/** The changes a workflow diff finds, each with its effect (docs/policy.md#changing-a-workflow). */

/** Two values that are the same as canonical JSON. */
export const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);
/** Items by their key. */
export const byKey = <T>(items: readonly T[] | undefined, key: (t: T) => string) =>
  new Map((items ?? []).map((t) => [key(t), t]));

export class Changes {
  readonly list: DefinitionChange[] = [];
  add(path: string, effect: ChangeEffect, message: string, before?: unknown, after?: unknown): void {
    this.list.push({
      path,
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
      effect,
      message,
    });
  }
  /** Items added to or removed from a list: adding one `added` does, removing it the reverse. */
  lists(path: string, before: readonly string[], after: readonly string[], added: ChangeEffect, what: string): void {
    const reverse: ChangeEffect = added === 'widens' ? 'narrows' : added === 'narrows' ? 'widens' : 'neutral';
    for (const x of after.filter((v) => !before.includes(v)))
      this.add(path, added, `${what} "${x}" added`, undefined, x);
    for (const x of before.filter((v) => !after.includes(v)))
      this.add(path, reverse, `${what} "${x}" removed`, x, undefined);
  }
  /** A duration made longer `longer` does, shorter the reverse. */
  duration(path: string, before: string | undefined, after: string | undefined, what: string): void {
    if (before === after) return;
    const [b, a] = [parseDuration(before ?? '') ?? 0, parseDuration(after ?? '') ?? 0];
    const effect: ChangeEffect = a > b ? 'widens' : a < b ? 'narrows' : 'neutral';
    this.add(path, effect, `${what} ${a > b ? 'lengthened' : 'shortened'} from ${before} to ${after}`, before, after);
  }
  /** Who decides `what` (a rule, an overlay) is part of the boundary: another owner widens it. */
  owner(path: string, what: string, before: string | undefined, after: string | undefined): void {
    if (before !== after)
      this.add(path, 'widens', `${what} is decided by ${after ?? 'the workflow owner'} now`, before, after);
  }
}

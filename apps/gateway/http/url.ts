import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { FieldProblem, unstorable, WorkgateError } from '@workgate/contracts';

/** One percent-encoded part of a URL, decoded, or what is wrong with it: not UTF-8 once decoded, or holding U+0000 or an unpaired surrogate. */
function decodePart(
  raw: string,
  plusIsSpace: boolean,
): { text: string; problem?: undefined } | { text?: undefined; problem: string } {
  let text: string;
  try {
    text = decodeURIComponent(plusIsSpace ? raw.replace(/\+/g, ' ') : raw);
  } catch {
    return { problem: 'is not valid percent-encoded UTF-8' };
  }
  return unstorable(text) ? { problem: 'holds U+0000 or an unpaired surrogate' } : { text };
}

/**
 * Problems of a request URL as sent, before anything reads it: each path segment and each query
 * key and value must be percent-encoded UTF-8 without U+0000 (a query parser would otherwise read
 * bad bytes as U+FFFD, and Postgres refuses U+0000 with a 500).
 */
export function urlProblems(url: string): FieldProblem[] {
  // Without a percent sign nothing decodes to anything else: only the URL's own characters can be wrong.
  if (!url.includes('%') && !unstorable(url)) return [];
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const problems: FieldProblem[] = [];
  for (const segment of path.split('/')) {
    const problem = segment.includes('%') ? decodePart(segment, false).problem : undefined;
    if (problem) problems.push({ path: 'path', message: `a path segment ${problem}` });
  }
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const key = decodePart(rawKey, true);
    const problem = key.problem ?? (eq < 0 ? undefined : decodePart(pair.slice(eq + 1), true).problem);
    if (problem) problems.push({ path: `query:${key.text ?? rawKey.slice(0, 40)}`, message: problem });
  }
  return problems;
}

/** The refusal of a URL no route could read faithfully (422 naming the part), or undefined when it reads. */
export function unreadableUrl(url: string): WorkgateError | undefined {
  const problems = urlProblems(url);
  return problems.length
    ? new WorkgateError('validation_failed', `${problems[0].path} ${problems[0].message}`, problems)
    : undefined;
}

/** Refuses, with 422 naming the part, a request whose URL no route could read faithfully (an `onRequest` hook). */
export function refuseUnreadableUrls(req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  done(unreadableUrl(req.url));
}

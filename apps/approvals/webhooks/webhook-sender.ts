import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { addressProblem, schemeProblem } from './addresses';
import { SendResult } from './backoff';

/** How long a host may take to resolve: well within the time-out of the request that subscribes it. */
const RESOLVE_MS = 2_000;

/** The addresses a URL's host resolves to (an IP literal: itself); empty when it does not resolve in time. */
export async function addressesOf(url: URL): Promise<string[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return [host];
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), RESOLVE_MS)));
  const found = lookup(host, { all: true }).then(
    (addresses) => addresses.map((a) => a.address),
    () => [],
  );
  return Promise.race([found, late]).finally(() => clearTimeout(timer));
}

/**
 * The rule of a webhook URL, at subscription and at every attempt: `http:` or `https:`, and a host
 * that resolves (in time) to public addresses only unless private ones are allowed. The addresses
 * it may be sent to, or why not.
 */
export async function vetUrl(url: URL, allowPrivate: boolean): Promise<{ addresses: string[] } | { problem: string }> {
  const scheme = schemeProblem(url);
  if (scheme) return { problem: scheme };
  const addresses = await addressesOf(url);
  const problem = addressProblem(addresses, allowPrivate);
  return problem ? { problem } : { addresses };
}

/**
 * The URL as logs and errors may show it: scheme, host and port only. Receivers often carry their
 * credential in the path (chat incoming-webhook URLs) or the query, so neither is ever shown.
 */
export function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/**
 * POSTs one signed webhook body. The host is resolved and vetted again now (DNS can change since
 * the subscription) and the connection goes to the vetted address, so a second resolution cannot
 * swap it; redirects are not followed (a 3xx is a failed attempt); past `timeoutMs` the attempt
 * fails (the whole exchange, not only an idle socket). The receiver's answer is read and dropped.
 */
export async function sendWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean; signal?: AbortSignal },
): Promise<SendResult> {
  const url = new URL(target);
  const vetted = await vetUrl(url, options.allowPrivate);
  if ('problem' in vetted) return { error: `the URL ${vetted.problem}` };
  const { addresses } = vetted;
  const pinned: LookupFunction = (_host, opts, callback) => {
    const family = isIP(addresses[0]);
    if (opts.all) callback(null, [{ address: addresses[0], family }]);
    else callback(null, addresses[0], family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    const done = (result: SendResult) => {
      clearTimeout(deadline);
      resolve(result);
    };
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'workgate-webhooks',
        },
        lookup: pinned,
        signal: options.signal,
      },
      (res) => {
        res.resume();
        res.on('end', () => done({ status: res.statusCode ?? 0 }));
        res.on('error', () => done({ status: res.statusCode ?? 0 }));
      },
    );
    const deadline = setTimeout(
      () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    req.on('error', (error) => done({ error: error.message }));
    req.end(body);
  });
}

import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { portOf } from './guards';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A local receiver on 127.0.0.1: each path answers as its handler says (200 by default) and every request is kept. */
export class Receiver {
  readonly received: Received[] = [];
  readonly answers = new Map<string, (n: number) => number>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ path, headers: req.headers, body, at: Date.now() });
        const n = this.received.filter((r) => r.path === path).length;
        res.writeHead(this.answers.get(path)?.(n) ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${portOf(this.server)}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** The Standard Webhooks headers of a received request, as the verifying library takes them. */
export const headersOf = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

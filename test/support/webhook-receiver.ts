import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { NOTIFICATION_TYPES, NotificationType, WebhookPayload } from '@workgate/contracts';
import { checked, isRecord, portOf } from './guards';

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

const isNotificationType = (value: unknown): value is NotificationType => NOTIFICATION_TYPES.some((t) => t === value);

/** The body every webhook carries (docs: WebhookPayload): a notification type, a timestamp and data with a message. */
export const isWebhookPayload = (value: unknown): value is WebhookPayload =>
  isRecord(value) &&
  isNotificationType(value.type) &&
  typeof value.timestamp === 'string' &&
  isRecord(value.data) &&
  typeof value.data.message === 'string';

/** A received request's payload once its signature verified with `secret`, checked to be a webhook's. */
export const verifiedPayload = (secret: string, r: Received): WebhookPayload =>
  checked(new Webhook(secret).verify(r.body, headersOf(r)), isWebhookPayload, `the payload to ${r.path}`);

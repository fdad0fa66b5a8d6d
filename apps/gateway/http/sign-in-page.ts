import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from './error.filter';
import { preferredType } from './negotiation';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** Whether the request is a browser's navigation, which reads an HTML page better than the API's error body. */
export function wantsPage(req: FastifyRequest): boolean {
  return preferredType(req.headers.accept, ['application/json', 'text/html']) === 'text/html';
}

/**
 * A refused sign-in as a page a person can read: the status, the error code and its message, and
 * a link back to the console. The status is the one the API's error body would have.
 */
export function answerSignInPage(reply: FastifyReply, refusal: unknown): void {
  const { status, body, unexpected } = toHttpError(refusal);
  if (unexpected !== undefined) new Logger('SignIn').error(unexpected);
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in refused — workgate</title>
<link rel="stylesheet" href="/console/console.css">
</head>
<body>
<header><div class="title"><h1>workgate <span class="muted">console</span></h1></div></header>
<main>
<section class="card" aria-labelledby="refused">
<h2 id="refused">The sign-in did not go through</h2>
<p id="error" class="error"><code>${escape(body.error)}</code> (${status})</p>
<p id="message">${escape(body.message)}</p>
<p><a href="/console">Back to the console</a></p>
</section>
</main>
</body>
</html>
`;
  void reply
    .code(status)
    .header('Cache-Control', 'no-store')
    .header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    .type('text/html; charset=utf-8')
    .send(page);
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeliveryPage } from '@workgate/contracts';
import { preferredType } from '../http';
import { DELIVERY_CSP, deliveryHtml } from './delivery.html';

/** The delivery page as the request prefers it: the page to share (`Accept: text/html`), else its JSON. */
export function sendDelivery(page: DeliveryPage, req: FastifyRequest, res: FastifyReply): void {
  if (preferredType(req.headers.accept, ['application/json', 'text/html']) === 'text/html') {
    void res.type('text/html; charset=utf-8').header('Content-Security-Policy', DELIVERY_CSP).send(deliveryHtml(page));
  } else {
    void res.send(page);
  }
}

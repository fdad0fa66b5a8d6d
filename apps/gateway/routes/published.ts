import type { FastifyReply } from 'fastify';
import { isChangeRequested, PublishOutcome, Written } from '@workgate/contracts';

/** A publish's answer: 201 when the version is published (or was already), 202 when it waits for its owner's approval. */
export function sendPublished(res: FastifyReply, written: Written<PublishOutcome>): void {
  void res.status(isChangeRequested(written.answer) ? 202 : 201).send(written);
}

import type { FastifyReply } from 'fastify';
import { AnswerDoc, ref } from '../openapi';
import { isChangeRequested, PublishOutcome, Written } from '@workgate/contracts';

/** A publish's answer: 201 when the version is published (or was already), 202 when it waits for its owner's approval. */
export function sendPublished(res: FastifyReply, written: Written<PublishOutcome>): void {
  void res.status(isChangeRequested(written.answer) ? 202 : 201).send(written);
}

/** What a publish answers, for the API document: the version (201) or the change that waits (202). */
export const PUBLISHED: AnswerDoc = {
  json: ref('PublishWorkflowResult'),
  also: {
    '202': {
      description: "The version widens the one in force: it waits for the current owner's approval (`workflow-change`)",
      json: ref('WorkflowChangeRequested'),
    },
  },
};

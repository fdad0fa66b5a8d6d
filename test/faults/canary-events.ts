import { canary } from './canaries';
import type { CanaryRig } from './canary-rig';
import { eventually } from '../support/processes';
import { openedBy } from '../support/answers';
import type { IngestAnswer } from '../support/answers';
import { workOrderIdFor } from '../../apps/intake/work-orders.service';
import type { RejectionsPage } from '@workgate/contracts';

/** CloudEvents over HTTP: a valid batch, a refused batch, a refused single event. */
export async function sendHttpEventCanaries(rig: CanaryRig) {
  const { as, ok, ids, ce } = rig;
  const http = ok(
    await as.helpdesk<IngestAnswer>(
      'POST',
      '/v1/events',
      [
        ce('shopify', 'h-1', 'workgate.workorder.open', 'CANARY-HTTP', {
          jobType: 'support-recovery',
          inputs: {
            caseId: 'C-3',
            orderId: '3',
            orderPaid: true,
            cardHolder: canary('http event inputs.cardHolder', 'plain'),
          },
        }),
        ce('shopify', 'h-2', 'workgate.action.requested', 'CANARY-HTTP', {
          system: 'shop',
          operation: 'customer.reply',
          kind: 'write',
          facts: { smtpPassword: canary('http event facts.smtpPassword', 'password') },
        }),
      ],
      { 'Content-Type': 'application/cloudevents-batch+json' },
    ),
    202,
  );
  ids.workOrders.push(openedBy(http.body.results[0]).id);
  ok(
    await as.helpdesk<IngestAnswer>(
      'POST',
      '/v1/events',
      [
        ce('shopify', 'h-3', 'workgate.no.such.type', 'CANARY-HTTP-2', {
          secret: canary('refused http event (unknown type) data', 'bearer', { recorded: false, rejected: true }),
        }),
        ce('shopify', 'h-4', 'workgate.workorder.open', 'CANARY-HTTP-2', {
          jobType: 'support-recovery',
          inputs: {
            apiKey: canary('http event refused with its batch', 'plain', { recorded: false, rejected: true }),
          },
        }),
      ],
      { 'Content-Type': 'application/cloudevents-batch+json' },
    ),
    422,
  );
  ok(
    await as.helpdesk<IngestAnswer>(
      'POST',
      '/v1/events',
      ce('shopify', 'h-5', 'workgate.step.blocked', 'CANARY-HTTP', {
        stepId: 'inspect-case',
        code: 'CUSTOMER_UNREACHABLE',
        rationale: 'x',
        colour: canary('http event unknown key value', 'url', { recorded: false, rejected: true }),
      }),
      {
        'Content-Type': 'application/cloudevents+json',
      },
    ),
    422,
  );
}

/** CloudEvents over NATS: valid ones, a domain refusal, an unknown key, malformed JSON, binary mode. */
export async function sendNatsEventCanaries(rig: CanaryRig) {
  const { as, ids, publish, ce, events } = rig;
  const natsRef = 'CANARY-NATS';
  const natsWo = workOrderIdFor('erp', natsRef);
  ids.workOrders.push(natsWo);
  const json = (v: unknown) => JSON.stringify(v);
  await publish(
    'erp',
    'n-1',
    json(
      ce('erp', 'n-1', 'workgate.workorder.open', natsRef, {
        jobType: 'support-recovery',
        inputs: {
          caseId: 'C-4',
          orderId: '4',
          orderPaid: true,
          vaultToken: canary('nats event inputs.vaultToken', 'bearer'),
        },
      }),
    ),
  );
  await publish(
    'erp',
    'n-2',
    json(
      ce('erp', 'n-2', 'workgate.action.requested', natsRef, {
        system: 'warehouse',
        operation: 'notify',
        kind: 'write',
        facts: { dockCode: canary('nats event facts.dockCode', 'plain') },
      }),
    ),
  );
  await publish(
    'erp',
    'n-3',
    json(
      ce('erp', 'n-3', 'workgate.step.completed', natsRef, {
        stepId: 'inspect-case',
        evidence: [{ kind: 'log', ref: canary('nats event private evidence', 'aws'), private: true }],
        note: canary('nats event step note', 'password'),
      }),
    ),
  );
  await publish(
    'erp',
    'n-4',
    json(
      ce('erp', 'n-4', 'workgate.workorder.close', natsRef, {
        closureEvidenceId: '',
        evidence: [
          {
            kind: 'log',
            ref: canary('nats event refused close evidence', 'plain', { recorded: false, rejected: true }),
          },
        ],
      }),
    ),
  );
  await publish(
    'erp',
    'n-5',
    json(
      ce('erp', 'n-5', 'workgate.step.blocked', natsRef, {
        stepId: 'inspect-case',
        code: 'CUSTOMER_UNREACHABLE',
        rationale: 'x',
        extra: canary('nats event unknown key value', 'bearer', { recorded: false, rejected: true }),
      }),
    ),
  );
  const malformed = canary('nats malformed JSON', 'plain', { recorded: false, rejected: true });
  await publish(
    'erp',
    'n-6',
    `{"specversion":"1.0","id":"n-6","source":"erp","type":"workgate.step.completed","subject":"${natsRef}","data":{"note": ${malformed}}}`,
  );
  await publish(
    'erp',
    'n-7',
    json({ stepId: 'validate-address', evidence: [], note: canary('nats binary event data', 'plain') }),
    {
      'ce-specversion': '1.0',
      'ce-id': 'n-7',
      'ce-source': 'erp',
      'ce-type': 'workgate.step.completed',
      'ce-subject': natsRef,
      'ce-authorization': canary('nats binary event header', 'bearer', { recorded: false }),
    },
  );
  await publish(
    'erp',
    'n-8',
    json(
      ce('erp', 'n-8', 'workgate.step.completed', natsRef, {
        stepId: 'no-such-step',
        evidence: [],
        note: canary('nats event refused step note', 'url', { recorded: false, rejected: true }),
      }),
    ),
  );
  // Closed in the source system with a note, then reopened with a reason.
  await publish(
    'erp',
    'n-9',
    json(
      ce('erp', 'n-9', 'workgate.workorder.closure_reported', natsRef, {
        note: canary('nats closure note', 'password'),
      }),
    ),
  );
  await publish(
    'erp',
    'n-10',
    json(ce('erp', 'n-10', 'workgate.workorder.reopen', natsRef, { reason: canary('nats reopen reason', 'plain') })),
  );
  await eventually(
    async () => {
      const rejected =
        (await as.lead<RejectionsPage>('GET', '/v1/intake/rejections?source=erp&limit=50')).body?.rejections?.length ??
        0;
      const types = (await events(natsWo).catch(() => [])).map((e) => e.type);
      return (
        rejected >= 4 &&
        types.filter((t) => t === 'StepCompleted').length >= 2 &&
        types.includes('ActionDecided') &&
        types.includes('WorkOrderReopened')
      );
    },
    20_000,
    'the NATS events to be processed',
  );
}

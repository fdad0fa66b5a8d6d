import { canary } from './canaries';
import type { Call, CanaryRig } from './canary-rig';
import type { IngestAnswer } from '../support/answers';
import type { ActionAnswer, OpenedAnswer, WorkOrderListItem, WorkflowSummary } from '@workgate/contracts';

/** Headers, wrong keys, malformed and refused bodies. */
export async function sendRefusedCanaries(rig: CanaryRig, wo: string) {
  const { as, ok, caller } = rig;
  const anonymous = caller(undefined);
  /** A support-recovery work order opened by `call`, with the rest of the body `body` says (where the canaries ride). */
  const open = (call: Call, body: Record<string, unknown>) =>
    call<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'X',
      source: 's',
      ...body,
    });
  ok(await caller(canary('wrong API key', 'plain', { recorded: false }))('GET', '/v1/workflows'), 401);
  ok(
    await anonymous<WorkflowSummary[]>('GET', '/v1/workflows', undefined, {
      Authorization: `Basic ${Buffer.from(`admin:${canary('basic auth password', 'plain', { recorded: false })}`).toString('base64')}`,
    }),
    401,
  );
  ok(
    await anonymous<WorkflowSummary[]>('GET', '/v1/workflows', undefined, {
      Authorization: canary('bearer wrong key', 'bearer', { recorded: false }),
    }),
    401,
  );
  ok(await open(as.analyst, { inputs: { pin: canary('forbidden-role body', 'password', { recorded: false }) } }), 403);
  ok(
    await as.agent(
      'GET',
      `/v1/no-such-route?access_token=${canary('query token on an unknown route', 'plain', { recorded: false })}`,
    ),
    404,
  );
  ok(
    await as.agent<WorkOrderListItem[]>(
      'GET',
      `/v1/work-orders?externalRef=${canary('query on the list', 'plain', { recorded: false })}`,
      undefined,
      {
        'X-Api-Key': canary('X-Api-Key header', 'plain', { recorded: false }),
        'User-Agent': canary('User-Agent header', 'plain', { recorded: false }),
      },
    ),
    200,
  );
  ok(await as.agent('GET', `/v1/work-orders/${canary('path segment', 'plain', { recorded: false })}`), 404);
  ok(
    await as.helpdesk<OpenedAnswer>(
      'POST',
      '/v1/work-orders',
      `{"jobType":"support-recovery","externalRef":"X","source":"s","inputs":{"pin": ${canary('malformed JSON value', 'plain', { recorded: false })}}}`,
    ),
    400,
  );
  ok(await as.helpdesk('POST', '/v1/work-orders', canary('not JSON at all', 'password', { recorded: false })), 400);
  ok(
    await as.helpdesk<OpenedAnswer>(
      'POST',
      '/v1/work-orders',
      `${canary('JSON scalar body', 'plain', { recorded: false })}`,
    ),
    400,
  );
  // Malformed JSON over HTTP is kept as a rejection, as on WORK_EVENTS.
  ok(
    await as.helpdesk<IngestAnswer>(
      'POST',
      '/v1/events',
      `{"specversion":"1.0","data":{"k": ${canary('malformed CloudEvent', 'plain', { recorded: false, rejected: true })}`,
      { 'Content-Type': 'application/cloudevents+json' },
    ),
    422,
  );
  ok(await open(as.helpdesk, { inputs: {}, colour: canary('unknown key value', 'bearer', { recorded: false }) }), 422);
  ok(
    await as.helpdesk<OpenedAnswer>(
      'POST',
      '/v1/work-orders',
      `{"jobType":"support-recovery","externalRef":"X","source":"s","inputs":{"__proto__":{"k":"${canary('prototype key body', 'plain', { recorded: false })}"}}}`,
    ),
    422,
  );
  ok(
    await as.agent<ActionAnswer>('POST', `/v1/work-orders/${wo}/actions`, {
      system: 'shop',
      operation: 'order.note',
      kind: canary('wrong enum value', 'plain', { recorded: false }),
    }),
    422,
  );
  ok(
    await open(as.helpdesk, {
      inputs: { blob: `${canary('oversized body', 'password', { recorded: false })} ${'x'.repeat(1_100_000)}` },
    }),
    413,
  );
}

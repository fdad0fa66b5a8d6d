import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { headers as natsHeaders } from 'nats';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { resetProcessMetrics, startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ActionAnswer, OpenedAnswer, RejectionsPage, VerifyResult, WorkOrderListItem } from '@workgate/contracts';
import { arrayOf, isString, parsed, shaped } from './support/guards';

/** The samples of a Prometheus text exposition: `name{labels}` -> value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/**
 * After a scripted run, `/metrics` has every metric (docs/operations.md, Metrics) with the value the run
 * makes: decisions by reason, their duration, the ledger head, the relay, the projections'
 * lag, work events by outcome and channel, pending approvals, overdue post-reviews, dead letters.
 * The same whether intake counts on the main thread or on the ledger's (WORKGATE_INTAKE_THREAD),
 * each metric named once.
 */
describe.each([
  ['on the main thread', { ledgerThread: false, intakeThread: false }],
  ["on the ledger's thread", { ledgerThread: true, intakeThread: true }],
])('/metrics after a scripted run, intake %s', (_where, threads) => {
  const principals = writePrincipals({
    admin: ['admin'],
    helpdesk: ['integrator', 'operator'],
    'support-lead': ['approver'],
    lead: ['ops-lead'],
  });
  let t: TestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;

  beforeAll(async () => {
    resetProcessMetrics(); // this worker's earlier workgates counted in this process too
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path }, ...threads });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  it('counts and reports what the run did', async () => {
    // A workflow whose post-reviews fall due a second after break-glass.
    const yaml = readFileSync(join(__dirname, '..', 'workflows', 'support-recovery.yaml'), 'utf8')
      .replace(/^jobType: .*$/m, 'jobType: metrics-flow')
      .replace(/^breakGlass: .*$/m, 'breakGlass: { allowed: true, postReviewDue: PT1S, reviewer: support-lead }');
    expect((await as.admin('POST', '/v1/workflows', yaml, { 'Content-Type': 'application/yaml' })).status).toBe(201);
    const inputs = { caseId: 'c', orderId: 'o', orderPaid: true };
    const wo = (
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'metrics-flow',
        externalRef: 'M-1',
        source: 'metrics',
        inputs,
      })
    ).body.id;
    const decide = async (action: object) =>
      (await as.helpdesk<ActionAnswer>('POST', `/v1/work-orders/${wo}/actions`, action)).body;
    expect(await decide({ system: 'helpdesk', operation: 'case.note', kind: 'write' })).toMatchObject({
      decision: 'run',
      reason: 'inside_boundary',
    });
    expect(await decide({ system: 'payments', operation: 'refund', kind: 'write' })).toMatchObject({
      decision: 'wait',
      reason: 'rule_matched',
    });
    expect(await decide({ system: 'crm', operation: 'case.close', kind: 'write' })).toMatchObject({
      decision: 'stop',
      reason: 'system_not_named',
    });
    const glass = await as.helpdesk('POST', `/v1/work-orders/${wo}/break-glass`, {
      code: 'PAYMENT_MISMATCH',
      rationale: 'double charge',
      action: { system: 'payments', operation: 'refund', kind: 'write' },
    });
    expect(glass.status).toBe(201);

    // Work events: one accepted and one refused over HTTP, and the same over NATS.
    const event = (id: string, type = 'workgate.workorder.open') => ({
      specversion: '1.0',
      id,
      source: 'metrics',
      type,
      subject: id,
      data: { jobType: 'metrics-flow', inputs },
    });
    const ce = { 'Content-Type': 'application/cloudevents+json' };
    expect((await as.helpdesk('POST', '/v1/events', JSON.stringify(event('H-1')), ce)).status).toBe(202);
    expect((await as.helpdesk('POST', '/v1/events', JSON.stringify(event('H-2', 'workgate.no.such')), ce)).status).toBe(
      422,
    );
    const js = t.nc.jetstream();
    const h = natsHeaders();
    h.set('Content-Type', 'application/cloudevents+json');
    await js.publish('workgate.events.metrics', Buffer.from(JSON.stringify(event('N-1'))), { headers: h });
    await js.publish('workgate.events.metrics', Buffer.from('{not json'), { headers: h });
    await eventually(
      async () =>
        (await as.helpdesk<RejectionsPage>('GET', '/v1/intake/rejections?source=metrics')).body.rejections.length === 2,
      10_000,
      'both rejections',
    );
    await eventually(
      async () =>
        (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=metrics&externalRef=N-1')).body
          .length === 1,
      10_000,
      'the NATS open',
    );

    // The ledger's figures come from the health checks (once a second); the post-review falls due
    // after a second (and its overdue timer records one more event): wait until all is quiet.
    let m = new Map<string, number>();
    let text = '';
    let head = 0;
    await eventually(
      async () => {
        head = (await as.lead<VerifyResult>('GET', '/v1/ledger/verify')).body.headPosition;
        text = await (await fetch(`${t.url}/metrics`)).text();
        m = samples(text);
        return (
          m.get('workgate_ledger_head_position') === head &&
          m.get('workgate_relay_published_position') === head &&
          m.get('workgate_post_reviews_overdue') === 1 &&
          m.get('workgate_projection_lag_events{projection="views"}') === 0
        );
      },
      15_000,
      'the metrics at the head',
    );
    expect(
      Object.fromEntries(
        [...m].filter(([k]) =>
          /^workgate_(decisions_total|intake_events_total|approvals_pending|post_reviews_overdue|dead_letters_total|projection_(lag|parked)_events|ledger_head_position|relay_published_position|relay_paused|decision_duration_seconds_count)/.test(
            k,
          ),
        ),
      ),
    ).toEqual({
      'workgate_decisions_total{decision="run",reason="inside_boundary"}': 1,
      'workgate_decisions_total{decision="wait",reason="rule_matched"}': 1,
      'workgate_decisions_total{decision="stop",reason="system_not_named"}': 1,
      workgate_decision_duration_seconds_count: 3,
      'workgate_intake_events_total{outcome="accepted",channel="http"}': 1,
      'workgate_intake_events_total{outcome="rejected",channel="http"}': 1,
      'workgate_intake_events_total{outcome="accepted",channel="nats"}': 1,
      'workgate_intake_events_total{outcome="rejected",channel="nats"}': 1,
      workgate_approvals_pending: 1,
      workgate_post_reviews_overdue: 1,
      workgate_dead_letters_total: 0,
      workgate_ledger_head_position: head,
      workgate_relay_published_position: head,
      workgate_relay_paused: 0,
      'workgate_projection_lag_events{projection="views"}': 0,
      'workgate_projection_lag_events{projection="timers"}': 0,
      'workgate_projection_parked_events{projection="views"}': 0,
      'workgate_projection_parked_events{projection="timers"}': 0,
    });
    expect(m.get('workgate_decision_duration_seconds_sum')).toBeGreaterThan(0);
    const typed: string[] = text.match(/^# TYPE \S+/gm) ?? [];
    expect(typed.length).toBeGreaterThan(20);
    expect(typed.filter((line, i) => typed.indexOf(line) !== i)).toEqual([]);
  });

  it('has every metric the Grafana dashboard in deploy/ queries', async () => {
    const dashboard = parsed(
      readFileSync(join(__dirname, '..', 'deploy', 'grafana-dashboard.json'), 'utf8'),
      shaped({ panels: arrayOf(shaped({ targets: arrayOf(shaped({ expr: isString })) })) }),
      'deploy/grafana-dashboard.json',
    );
    const queried = new Set(
      dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/workgate_[a-z_]+/g) ?? [])),
    );
    expect(queried.size).toBeGreaterThan(8);
    const exposed = new Set(
      [...samples(await (await fetch(`${t.url}/metrics`)).text()).keys()].map((k) => k.split('{')[0]),
    );
    expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
  });
});

/** The engagement-lifecycle scenarios' driver: one work order of the shipped workflow, built on the shared harness. */
import { ActionScope, GateRequestedData, WorkgateError } from '@workgate/contracts';
import { WorkOrderCommand } from './commands';
import { compileWorkflow } from '@workgate/workflow';
import { shippedWorkflow } from '../../workflow/definition/test-fixtures';
import { answerOf } from './answers';
import { answerWith, ctx, eventOfType, meta, stateAfter, work } from './work-order.fixtures';
import { WorkOrder, WorkOrderEvent } from './work-order.state';

export const definition = shippedWorkflow('engagement-lifecycle');
export const engagementWorkflow = compileWorkflow(definition);
export const REFUND: ActionScope = { system: 'support-desk', operation: 'refund.recommend', kind: 'write' };

/** What a scope change adding `scope` opens under the shipped workflow: a change order and a security review, both draft-only until their owners decide. */
export const requestedTracks = (scope: ActionScope) => [
  expect.objectContaining({
    kind: 'change-order',
    status: 'requested',
    mode: 'draft-only',
    owner: 'engagement-lead',
    scope,
    blockers: [expect.stringContaining('engagement-lead decides')],
  }),
  expect.objectContaining({
    kind: 'security',
    status: 'requested',
    mode: 'draft-only',
    owner: 'security-lead',
    scope,
    blockers: [expect.stringContaining('security-lead decides')],
  }),
];

/** Stage routing, overlays and scope changes over the shipped engagement-lifecycle workflow, with the real boundary, rules and overlay conditions. */
export class Engagement {
  readonly events: WorkOrderEvent[] = [];

  constructor() {
    this.run({
      type: 'OpenWorkOrder',
      jobType: definition.jobType,
      externalRef: 'ENG-1',
      source: 'crm',
      inputs: { client: 'Northwind Trading Co.', sponsor: 'ops-director' },
    });
  }

  get open(): WorkOrder {
    return stateAfter(this.events);
  }

  /** What a command would record now (nothing is recorded). */
  decide(command: WorkOrderCommand, actor = 'op-1', commandId?: string): WorkOrderEvent[] {
    return work
      .given(...this.events)
      .when(command, ctx({ workflow: engagementWorkflow, meta: meta(commandId, actor) }))
      .result();
  }

  run(command: WorkOrderCommand, actor?: string, commandId?: string): WorkOrderEvent[] {
    const events = this.decide(command, actor, commandId);
    this.events.push(...events);
    return events;
  }

  refusal(command: WorkOrderCommand): WorkgateError {
    try {
      this.decide(command);
    } catch (error) {
      return error as WorkgateError;
    }
    throw new Error('expected a refusal');
  }

  artifact(stageId: string, kind: string, ref = `${kind.toUpperCase()}-1`) {
    return this.run({ type: 'RecordStageArtifact', stageId, artifact: { kind, ref } });
  }

  action(system: string, operation: string, kind: 'read' | 'write' = 'write') {
    const events = this.run({ type: 'RequestAction', system, operation, kind });
    const decided = events[events.length - 1];
    return {
      answer: answerWith(answerOf(decided, this.open), 'rule'),
      data: eventOfType(decided, 'ActionDecided').data,
      events,
    };
  }

  resolve(approvalId: string, outcome: 'approved' | 'rejected' | 'expired' | 'conditional', openConditions?: string[]) {
    return this.run({
      type: 'ApplyApprovalOutcome',
      approvalId,
      outcome,
      decidedBy: 'approver',
      ...(openConditions ? { openConditions } : {}),
    });
  }

  /** The gate request among events. */
  static gate(events: WorkOrderEvent[]): GateRequestedData {
    const gate = events.find((e) => e.type === 'GateRequested');
    if (gate?.type !== 'GateRequested') throw new Error('no gate request');
    return gate.data;
  }

  /** Every gate request among events. */
  static gates(events: WorkOrderEvent[]): GateRequestedData[] {
    return events.flatMap((e) => (e.type === 'GateRequested' ? [e.data] : []));
  }

  /** Records a stage's artifact and approves its gate. */
  pass(stageId: string, kind: string) {
    const gate = Engagement.gate(this.artifact(stageId, kind));
    this.resolve(gate.approvalId, 'approved');
    return gate;
  }

  /** The engagement at delivery: discovery, proposal and contract passed; the launch checklist recorded; security conditional (R-03 open). */
  static atDelivery() {
    const e = new Engagement();
    e.pass('discovery', 'requirements-brief');
    e.pass('proposal', 'pilot-proposal');
    e.pass('contract', 'signed-agreement');
    const gate = Engagement.gate(e.artifact('delivery', 'launch-readiness-checklist'));
    e.resolve(gate.approvalId, 'conditional', ['R-03']);
    return { e, security: gate };
  }
}

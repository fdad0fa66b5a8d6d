import { ExceptionCode, WorkflowDefinition } from '@workgate/contracts';
import { workflowMap } from './map';
import { CATALOG } from '../definition/test-fixtures';
import { validateDefinition } from '../definition/validate';

const SHA = '0'.repeat(64);
const minimal: WorkflowDefinition = {
  jobType: 'tiny',
  version: 1,
  title: 'Tiny',
  owner: 'lead',
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
};
const catalog = new Map<string, ExceptionCode>([
  ['CUSTOMER_UNREACHABLE', { code: 'CUSTOMER_UNREACHABLE', title: 'Unreachable', owner: 'support-lead', sla: 'PT24H' }],
]);
const edgesOf = (d: WorkflowDefinition, c = catalog) =>
  workflowMap(d, SHA, c).edges.map((e) => [e.from, e.to, e.kind, e.label ?? null]);

describe('the map builder at its edges', () => {
  it('a definition without steps: its inputs lead straight to closure', () => {
    const map = workflowMap({ ...minimal, requiredInputs: [{ name: 'orderId' }, { name: 'paid', equals: true }] }, SHA);
    expect(map.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['input:orderId', 'input'],
      ['input:paid', 'input'],
      ['shop', 'system'],
      ['closure', 'closure'],
    ]);
    expect(map.nodes[1].detail).toEqual({ equals: 'true' });
    expect(map.edges).toEqual([
      { from: 'input:orderId', to: 'closure', kind: 'next' },
      { from: 'input:paid', to: 'closure', kind: 'next' },
    ]);
    expect(map.receiptPlan).toEqual([
      { at: 'shop', receipts: ['decision'] },
      { at: 'closure', receipts: [] },
    ]);
  });

  it('stages only: each stage passes its gate to the next, the last gate to closure, a gate drawn once', () => {
    const d: WorkflowDefinition = {
      ...minimal,
      requiredInputs: [{ name: 'client' }],
      stages: [
        { id: 'discovery', artifact: 'brief', gate: 'facts' },
        { id: 'delivery', artifact: 'checklist', gate: 'security', owner: 'security-lead' },
        { id: 'support', artifact: 'scorecard', gate: 'security' },
      ],
    };
    const map = workflowMap(d, SHA);
    expect(map.nodes.filter((n) => n.kind === 'gate').map((n) => [n.id, n.owner])).toEqual([
      ['gate:facts', 'lead'],
      ['gate:security', 'security-lead'],
    ]);
    expect(edgesOf(d)).toEqual([
      ['input:client', 'discovery', 'next', null],
      ['discovery', 'gate:facts', 'next', null],
      ['gate:facts', 'delivery', 'next', null],
      ['delivery', 'gate:security', 'next', null],
      ['gate:security', 'support', 'next', null],
      ['support', 'gate:security', 'next', null],
      ['support', 'gate:security', 'handoff', 'lead → security-lead'],
      ['gate:security', 'closure', 'next', null],
    ]);
  });

  it('a rule that names only an operation governs every system that may write it', () => {
    const d: WorkflowDefinition = {
      ...minimal,
      systems: [
        { name: 'shop', read: true, write: ['order.note'] },
        { name: 'backoffice', read: true, write: ['order.note', 'refund'] },
        { name: 'crm', read: true, write: ['case.note'] },
      ],
      rules: [{ id: 'notes-wait', when: 'action.operation == "order.note"', decision: 'wait', owner: 'ops' }],
    };
    const governs = workflowMap(d, SHA).edges.filter((e) => e.kind === 'governs');
    expect(governs.map((e) => e.to)).toEqual(['shop', 'backoffice']);
  });

  it('an exception code missing from the catalog is drawn by its code, without an owner or handoff', () => {
    const d: WorkflowDefinition = {
      ...minimal,
      steps: [{ id: 'fix', title: 'Fix' }],
      exceptionCodes: ['CUSTOMER_UNREACHABLE', 'NOT_IN_CATALOG'],
    };
    const map = workflowMap(d, SHA, catalog);
    expect(map.nodes.filter((n) => n.kind === 'exception')).toEqual([
      {
        id: 'CUSTOMER_UNREACHABLE',
        kind: 'exception',
        label: 'Unreachable',
        owner: 'support-lead',
        detail: { code: 'CUSTOMER_UNREACHABLE', sla: 'PT24H' },
      },
      { id: 'NOT_IN_CATALOG', kind: 'exception', label: 'NOT_IN_CATALOG', detail: { code: 'NOT_IN_CATALOG' } },
    ]);
    expect(edgesOf(d).filter(([, to]) => to === 'NOT_IN_CATALOG')).toEqual([
      ['fix', 'NOT_IN_CATALOG', 'may_raise', null],
    ]);
    expect(edgesOf(d).filter(([, to]) => to === 'CUSTOMER_UNREACHABLE')).toEqual([
      ['fix', 'CUSTOMER_UNREACHABLE', 'may_raise', null],
      ['fix', 'CUSTOMER_UNREACHABLE', 'handoff', 'operator → support-lead'],
    ]);
  });

  it('a system with rollback: required says so, and its receipts include the rollback note', () => {
    const map = workflowMap({ ...minimal, systems: [{ ...minimal.systems[0], rollback: 'required' }] }, SHA);
    expect(map.nodes[0].detail).toMatchObject({ rollback: 'required' });
    expect(map.receiptPlan[0]).toEqual({ at: 'shop', receipts: ['decision', 'rollback-note'] });
  });
});

describe('validating the map keys', () => {
  it('lists an object in an unknown system and a known failure at an unknown id, each with its path', () => {
    const v = validateDefinition(
      {
        ...minimal,
        steps: [{ id: 'fix', title: 'Fix', owner: 'technician' }],
        objects: [
          { name: 'order', system: 'shop' },
          { name: 'parcel', system: 'warehouse' },
        ],
        knownFailures: [
          { at: 'fix', note: 'the fix does not hold' },
          { at: 'shop', note: 'the shop is down' },
          { at: 'ship', note: 'no such step' },
        ],
      },
      { catalog: CATALOG },
    );
    expect(v.ok).toBe(false);
    expect(v.ok ? [] : v.problems).toEqual([
      { path: 'objects[1].system', message: 'names system "warehouse", which is not in systems' },
      { path: 'knownFailures[2].at', message: '"ship" is not a step, system or rule of this workflow' },
    ]);
  });

  it('refuses a rollback value other than "required"', () => {
    const v = validateDefinition(
      { ...minimal, systems: [{ name: 'shop', read: true, write: [], rollback: 'optional' }] },
      { catalog: CATALOG },
    );
    expect(v.ok ? [] : v.problems).toEqual([
      { path: 'systems[0].rollback', message: 'rollback must be "required" when present' },
    ]);
  });
});

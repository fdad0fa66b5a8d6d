import { compileWorkflow } from '../definition/compile';
import { decide } from './decide';
import { ActionRequest, WorkflowDefinition } from '../definition/definition';

const definition: WorkflowDefinition = {
  jobType: 'plant-job',
  version: 1,
  title: 'Plant job',
  owner: 'plant-lead',
  systems: [
    { name: 'scada', read: true, write: ['setpoint'], rollback: 'required' },
    { name: 'crm', read: true, write: ['note'] },
  ],
  rules: [
    { id: 'valve-waits', when: 'action.operation == "valve.open"', decision: 'wait', owner: 'safety-lead' },
    { id: 'night-stops', when: 'facts.night == true', decision: 'stop', reason: 'no plant writes at night' },
    { id: 'broken', when: 'facts.missing.deep == 1', decision: 'run' },
  ],
};
const wf = compileWorkflow(definition);
const write = (system: string, operation: string, extra: Partial<ActionRequest> = {}): ActionRequest => ({
  system,
  operation,
  kind: 'write',
  ...extra,
});
const NEEDS_NOTE = 'writes to scada need a rollback note: say how to undo it';

describe('decide: a write to a system with rollback: required needs a rollback note', () => {
  it.each<[string, string | undefined]>([
    ['no note', undefined],
    ['an empty note', ''],
    ['a blank note', ' \n\t '],
  ])('%s stops with rollback_note_required, naming the system and what to do', (_, rollbackNote) => {
    const r = decide(wf, {
      action: write('scada', 'setpoint', rollbackNote === undefined ? {} : { rollbackNote }),
      facts: { night: false, missing: { deep: 1 } },
    });
    expect(r).toMatchObject({
      decision: 'stop',
      reason: 'rollback_note_required',
      message: NEEDS_NOTE,
      rule: null,
      decisionOwner: 'plant-lead',
      scopeChecks: { passed: 3, total: 3 },
    });
  });

  it('sits after the boundary: a write outside the write list is still write_not_allowed', () => {
    expect(
      decide(wf, { action: write('scada', 'firmware.flash'), facts: { night: false, missing: { deep: 2 } } }),
    ).toMatchObject({
      decision: 'stop',
      reason: 'write_not_allowed',
    });
  });

  it('sits before the rules: a stop rule or a rule that cannot be evaluated is not reached without the note', () => {
    expect(decide(wf, { action: write('scada', 'setpoint'), facts: { night: true } }).reason).toBe(
      'rollback_note_required',
    );
    expect(decide(wf, { action: write('scada', 'setpoint'), facts: {} }).reason).toBe('rollback_note_required');
  });

  it('a write outside the write list that a wait rule lets through needs the note too', () => {
    expect(
      decide(wf, { action: write('scada', 'valve.open'), facts: { night: false, missing: { deep: 2 } } }),
    ).toMatchObject({
      decision: 'stop',
      reason: 'rollback_note_required',
      message: NEEDS_NOTE,
    });
    expect(
      decide(wf, {
        action: write('scada', 'valve.open', { rollbackNote: 'close the valve again' }),
        facts: { night: false, missing: { deep: 2 } },
      }),
    ).toMatchObject({ decision: 'wait', reason: 'rule_matched', rule: 'valve-waits', decisionOwner: 'safety-lead' });
  });

  it('with a note, the rules decide as before', () => {
    const note = { rollbackNote: 'set the setpoint back to 40' };
    expect(decide(wf, { action: write('scada', 'setpoint', note), facts: { night: true } })).toMatchObject({
      decision: 'stop',
      reason: 'rule_matched',
      rule: 'night-stops',
      message: 'no plant writes at night',
    });
    expect(
      decide(wf, { action: write('scada', 'setpoint', note), facts: { night: false, missing: { deep: 1 } } }),
    ).toMatchObject({ decision: 'run', reason: 'rule_matched', rule: 'broken' });
  });

  it('reads and writes to systems without the key need no note', () => {
    const facts = { night: false, missing: { deep: 2 } };
    expect(decide(wf, { action: { system: 'scada', operation: 'setpoint', kind: 'read' }, facts }).decision).toBe(
      'run',
    );
    expect(decide(wf, { action: write('crm', 'note'), facts })).toMatchObject({
      decision: 'run',
      reason: 'inside_boundary',
    });
  });

  it('the note is no input of the decision: rules cannot read it and the inputs hash leaves it out', () => {
    const facts = { night: false, missing: { deep: 2 } };
    const withNote = decide(wf, { action: write('scada', 'setpoint', { rollbackNote: 'undo: set 40' }), facts });
    const other = decide(wf, { action: write('scada', 'setpoint', { rollbackNote: 'another note' }), facts });
    expect(withNote.inputsSha256).toBe(other.inputsSha256);
    const reads = compileWorkflow({
      ...definition,
      rules: [{ id: 'reads-note', when: 'has(action.rollbackNote)', decision: 'stop' }],
    });
    expect(decide(reads, { action: write('scada', 'setpoint', { rollbackNote: 'undo' }) }).reason).toBe(
      'inside_boundary',
    );
  });

  it('an action in a scope change added scope to that system needs the note as well', () => {
    const r = decide(wf, {
      action: write('scada', 'mode.switch'),
      addedScope: [{ system: 'scada', operation: 'mode.switch', kind: 'write' }],
    });
    expect(r.reason).toBe('rollback_note_required');
  });
});

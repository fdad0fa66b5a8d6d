import { hash } from 'node:crypto';
import { compileWorkflow } from '@workgate/workflow';
import { action, ctx, decisionOf, definition, eventOfType, given, open, openWith } from './work-order.fixtures';

/** The fixture workflow with the shop's writes undoable only with a note. */
const undoable = compileWorkflow({
  ...definition,
  systems: definition.systems.map((s) => (s.name === 'shop' ? { ...s, rollback: 'required' as const } : s)),
});
const note = 'restore the previous order note from the shop history';

describe('a rollback note on an action request (docs/policy.md, Rollback notes)', () => {
  it('a write to a rollback-required system without a note stops, and nothing private is recorded', () =>
    given(open)
      .when(action('shop', 'order.note'), ctx({ workflow: undoable }))
      .then(['ActionDecided'], ([e]) => {
        expect(decisionOf(e)).toMatchObject({
          decision: 'stop',
          reason: 'rollback_note_required',
          message: 'writes to shop need a rollback note: say how to undo it',
          decisionOwner: 'support-lead',
        });
        expect(eventOfType(e, 'ActionDecided').data).not.toHaveProperty('evidence');
      }));

  it('with a note it is decided by the boundary and rules; the note is private evidence, not part of the action', () =>
    given(open)
      .when(action('shop', 'order.note', 'write', { rollbackNote: note }), ctx({ workflow: undoable }))
      .then(['ActionDecided'], ([e]) => {
        const { data } = eventOfType(e, 'ActionDecided');
        expect(data.decision).toMatchObject({ decision: 'run', reason: 'inside_boundary' });
        expect(data.action).toEqual({ system: 'shop', operation: 'order.note', kind: 'write' });
        expect(data.evidence).toEqual([
          {
            kind: 'rollback-note',
            ref: `action:${data.actionId}`,
            sha256: hash('sha256', note),
            note,
            private: true,
          },
        ]);
      }));

  it('a failed prerequisite still comes first: the blocked work order stops the write', () =>
    given(openWith({ orderId: '1001', orderPaid: false }))
      .when(action('shop', 'order.note'), ctx({ workflow: undoable }))
      .then(['ActionDecided'], ([e]) => expect(decisionOf(e).reason).toBe('work_order_blocked')));

  it('a note on a request that needs none is kept all the same', () =>
    given(open)
      .when(action('shop', 'order.note', 'write', { rollbackNote: note }))
      .then(['ActionDecided'], ([e]) =>
        expect(eventOfType(e, 'ActionDecided').data.evidence).toMatchObject([{ kind: 'rollback-note', note }]),
      ));

  it('a blank note is not recorded', () =>
    given(open)
      .when(action('shop', 'order.note', 'write', { rollbackNote: '  ' }), ctx({ workflow: undoable }))
      .then(['ActionDecided'], ([e]) => {
        expect(decisionOf(e).reason).toBe('rollback_note_required');
        expect(eventOfType(e, 'ActionDecided').data).not.toHaveProperty('evidence');
      }));

  it('break-glass needs no note (it runs outside the boundary) and keeps one given as private evidence', () => {
    const glass = compileWorkflow({
      ...undoable.definition,
      breakGlass: { allowed: true, postReviewDue: 'PT48H', reviewer: 'support-lead' },
    });
    const use = (extra: object) =>
      given(open)
        .when(
          {
            type: 'UseBreakGlass',
            code: 'CUSTOMER_UNREACHABLE',
            rationale: 'the customer waits at the counter',
            action: { system: 'shop', operation: 'order.note', kind: 'write', ...extra },
          },
          ctx({ workflow: glass }),
        )
        .result()
        .map((e) => eventOfType(e, 'BreakGlassUsed').data);
    const [without] = use({});
    expect(without).not.toHaveProperty('evidence');
    const [kept] = use({ rollbackNote: note });
    expect(kept.action).toEqual({ system: 'shop', operation: 'order.note', kind: 'write' });
    expect(kept.evidence).toEqual([
      { kind: 'rollback-note', ref: `action:${kept.actionId}`, sha256: hash('sha256', note), note, private: true },
    ]);
  });
});

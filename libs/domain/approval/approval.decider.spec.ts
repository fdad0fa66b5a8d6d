import fc from 'fast-check';
import { PermittedAction, WorkgateError } from '@workgate/contracts';
import {
  actionScopeHash,
  ApprovalCommand,
  ApprovalEvent,
  decideApproval,
  evolveApproval,
  initialApprovalState,
} from './approval.decider';
import { evidence, given, LATER, refund, request, T0 } from './approval.fixtures';
import { approvalBlocksClosure } from './approval.views';

const approve = (by: string, permittedAction: PermittedAction = refund): ApprovalCommand => ({
  type: 'DecideApproval',
  by,
  decision: 'approve',
  permittedAction,
});

describe('approval decider', () => {
  it('requests once; the same wait seen again requests nothing', () => {
    given()
      .when(request)
      .then(['ApprovalRequested'], (_, s) =>
        expect(s).toMatchObject({ status: 'requested', owner: 'support-lead', scopeHash: actionScopeHash(refund) }),
      );
    given(request).when(request).then([]);
  });

  it('the owner approves naming the permitted action', () =>
    given(request)
      .when(approve('support-lead'))
      .then(['ApprovalGranted'], (_, s) => expect(s.status).toBe('approved')));

  it('refuses the requester deciding their own request (self_approval)', () =>
    given(request).when(approve('agent-7')).thenThrows('self_approval'));
  it('refuses anyone but the named owner (not_owner)', () =>
    given(request).when(approve('finance-lead')).thenThrows('not_owner'));
  it('refuses an approval that names no permitted action', () =>
    given(request)
      .when({ type: 'DecideApproval', by: 'support-lead', decision: 'approve' })
      .thenThrows('permitted_action_mismatch'));
  it.each<[string, PermittedAction]>([
    ['another operation', { ...refund, operation: 'credit' }],
    ['another system', { ...refund, system: 'shop' }],
    ['another kind', { ...refund, kind: 'read' }],
    ['other objects', { ...refund, objects: ['order:9999'] }],
  ])('refuses a permitted action with %s (permitted_action_mismatch), naming the action that waits', (_what, action) =>
    given(request)
      .when(approve('support-lead', action))
      .thenThrows('permitted_action_mismatch', {
        message:
          'the permitted action is not the action that waits for this approval: name {"system":"payments","operation":"refund","kind":"write","objects":["order:1001"]} as permittedAction',
        details: [{ path: 'permittedAction', waiting: refund }],
      }),
  );
  it('accepts the same action with objects in another order', () =>
    given({ ...request, action: { ...refund, objects: ['a', 'b'] } })
      .when(approve('support-lead', { ...refund, objects: ['b', 'a'] }))
      .then(['ApprovalGranted']));

  it('rejects', () =>
    given(request)
      .when({ type: 'DecideApproval', by: 'support-lead', decision: 'reject', note: 'not eligible' })
      .then(['ApprovalRejected'], (_, s) => expect(s.status).toBe('rejected')));
  it('refuses deciding twice', () =>
    given(request, approve('support-lead')).when(approve('support-lead')).thenThrows('approval_decided'));

  describe('conditional', () => {
    const conditional: ApprovalCommand = {
      type: 'DecideApproval',
      by: 'support-lead',
      decision: 'conditional',
      permittedAction: refund,
      conditions: ['R-03 retention policy signed', 'refund cap confirmed'],
    };
    it('stays conditional, and blocks closure, until the last condition closes with evidence', () => {
      given(request)
        .when(conditional)
        .then(['ApprovalConditioned'], (_, s) => {
          expect(s.status).toBe('conditional');
          expect(approvalBlocksClosure(s)).toBe(true);
        });
      given(request, conditional)
        .when({ type: 'CloseCondition', by: 'support-lead', conditionId: 'c1', evidence })
        .then(['ApprovalConditionClosed'], (_, s) => expect(approvalBlocksClosure(s)).toBe(true));
      given(request, conditional, { type: 'CloseCondition', by: 'support-lead', conditionId: 'c1', evidence })
        .when({ type: 'CloseCondition', by: 'support-lead', conditionId: 'c2', evidence })
        .then(['ApprovalConditionClosed', 'ApprovalGranted'], (_, s) => {
          expect(s.status).toBe('approved');
          expect(approvalBlocksClosure(s)).toBe(false);
        });
    });
    it('needs at least one condition, each with a title', () => {
      given(request)
        .when({ ...conditional, conditions: [] })
        .thenThrows('validation_failed', {
          details: [{ path: 'conditions', message: 'a conditional approval needs at least one condition' }],
        });
      given(request)
        .when({ ...conditional, conditions: [' '] })
        .thenThrows('validation_failed', { details: [{ path: 'conditions[0].title', message: 'is required' }] });
    });
    it('takes conditions as objects: a chosen id, an owner who may close it, a due time or a duration from the decision', () => {
      const objects: ApprovalCommand = {
        ...conditional,
        conditions: [
          'plain title',
          { id: 'R-03', title: 'retention policy signed', owner: 'dpo', due: 'P14D' },
          { title: 'cap', due: '2030-01-01T00:00:00Z' },
        ],
      };
      given(request)
        .when(objects)
        .then(['ApprovalConditioned'], ([e]) =>
          expect(e.data).toMatchObject({
            conditions: [
              { conditionId: 'c1', text: 'plain title', closed: false },
              {
                conditionId: 'R-03',
                text: 'retention policy signed',
                owner: 'dpo',
                dueAt: new Date(Date.parse(T0) + 14 * 86_400_000).toISOString(),
                closed: false,
              },
              { conditionId: 'c3', text: 'cap', dueAt: '2030-01-01T00:00:00.000Z', closed: false },
            ],
          }),
        );
      // The condition's owner closes it as the approval's owner may; nobody else.
      given(request, objects)
        .when({ type: 'CloseCondition', by: 'dpo', conditionId: 'R-03', evidence })
        .then(['ApprovalConditionClosed']);
      given(request, objects)
        .when({ type: 'CloseCondition', by: 'dpo', conditionId: 'c1', evidence })
        .thenThrows('not_owner');
    });
    it('refuses duplicate ids and a bad due value, naming each by its path', () =>
      given(request)
        .when({
          ...conditional,
          conditions: [
            { id: 'a', title: 'x' },
            { id: 'a', title: 'y', due: 'tomorrow' },
          ],
        })
        .thenThrows('validation_failed', {
          details: [
            { path: 'conditions[1].id', message: '"a" names another condition too' },
            { path: 'conditions[1].due', message: expect.stringMatching(/RFC 3339 time/) },
          ],
        }));
    it('refuses closing a condition without evidence, twice, by another principal, or an unknown one', () => {
      const g = given(request, conditional, {
        type: 'CloseCondition',
        by: 'support-lead',
        conditionId: 'c1',
        evidence,
      });
      g.when({
        type: 'CloseCondition',
        by: 'support-lead',
        conditionId: 'c2',
        evidence: { kind: '', ref: '' },
      }).thenThrows('validation_failed');
      g.when({ type: 'CloseCondition', by: 'support-lead', conditionId: 'c1', evidence }).thenThrows(
        'condition_closed',
      );
      g.when({ type: 'CloseCondition', by: 'finance-lead', conditionId: 'c2', evidence }).thenThrows('not_owner');
      g.when({ type: 'CloseCondition', by: 'support-lead', conditionId: 'c9', evidence }).thenThrows('not_found');
    });
  });

  describe('expiry', () => {
    it('expires an unanswered request once due, and not before', () => {
      given(request)
        .when({ type: 'ExpireApproval' }, { now: LATER })
        .then(['ApprovalExpired'], (_, s) => expect(s.status).toBe('expired'));
      given(request).when({ type: 'ExpireApproval' }, { now: T0 }).thenThrows('not_due');
    });
    it('does nothing to a request decided in time', () =>
      given(request, approve('support-lead')).when({ type: 'ExpireApproval' }, { now: LATER }).then([]));
    it('refuses deciding an expired request', () => {
      let s = given(request).state;
      s = decideApproval({ type: 'ExpireApproval' }, s, { now: LATER }).reduce(evolveApproval, s);
      expect(() => decideApproval(approve('support-lead'), s, { now: LATER })).toThrow(
        expect.objectContaining({ code: 'approval_decided' }),
      );
    });
  });
});

describe('approval model (fast-check commands)', () => {
  const principals = ['support-lead', 'agent-7', 'finance-lead', 'ops-lead'];
  const actions: PermittedAction[] = [
    refund,
    { ...refund, operation: 'credit' },
    { ...refund, objects: ['order:2'] },
    { system: 'shop', operation: 'order.note', kind: 'write' },
  ];

  it('self-approval never succeeds (no condition is for the requester to meet or close), a non-owner never decides, an approval never covers another action', () => {
    // Commands lean towards the run's owner, requester and action, so decisions and closes happen often.
    const commandArb = (owner: string, requester: string, action: PermittedAction): fc.Arbitrary<ApprovalCommand> => {
      const who = fc.constantFrom(owner, requester, ...principals);
      return fc.oneof(
        fc
          .record({
            by: who,
            decision: fc.constantFrom<'approve' | 'reject' | 'conditional'>('approve', 'reject', 'conditional'),
            permittedAction: fc.option(fc.constantFrom(action, ...actions), { nil: undefined }),
            conditions: fc.array(
              fc.oneof(fc.constantFrom('c-a', 'c-b'), fc.record({ title: fc.constant('c-o'), owner: who })),
              { maxLength: 2 },
            ),
          })
          .map((c) => ({ type: 'DecideApproval' as const, ...c })),
        fc
          .record({ by: who, conditionId: fc.constantFrom('c1', 'c2', 'c3') })
          .map((c) => ({ type: 'CloseCondition' as const, ...c, evidence })),
        fc.constant<ApprovalCommand>({ type: 'ExpireApproval' }),
      );
    };
    const runArb = fc
      .tuple(fc.constantFrom(...principals), fc.constantFrom(...principals), fc.constantFrom(...actions))
      .chain(([owner, requester, action]) =>
        fc.tuple(
          fc.constant(owner),
          fc.constant(requester),
          fc.constant(action),
          fc.array(fc.tuple(commandArb(owner, requester, action), fc.boolean()), { maxLength: 12 }),
        ),
      );
    fc.assert(
      fc.property(runArb, ([owner, requester, action, steps]) => {
        let state = decideApproval({ ...request, owner, requestedBy: requester, action }, initialApprovalState(), {
          now: T0,
        }).reduce(evolveApproval, initialApprovalState());
        for (const [command, late] of steps) {
          let events: ApprovalEvent[];
          try {
            events = decideApproval(command, state, { now: late ? LATER : T0 });
          } catch (error) {
            expect(error).toBeInstanceOf(WorkgateError);
            continue;
          }
          for (const e of events) {
            if (e.type === 'ApprovalGranted' || e.type === 'ApprovalConditioned' || e.type === 'ApprovalRejected') {
              expect(e.data.decidedBy).toBe(owner);
              expect(e.data.decidedBy).not.toBe(requester);
            }
            if (e.type === 'ApprovalConditionClosed') expect(e.data.closedBy).not.toBe(requester);
            if (e.type === 'ApprovalConditioned')
              for (const c of e.data.conditions) expect(c.owner).not.toBe(requester);
            if (e.type === 'ApprovalGranted' || e.type === 'ApprovalConditioned') {
              expect(actionScopeHash(e.data.permittedAction)).toBe(actionScopeHash(action));
            }
          }
          state = events.reduce(evolveApproval, state);
        }
        if (state.status === 'approved') expect(actionScopeHash(state.permittedAction)).toBe(actionScopeHash(action));
      }),
      { numRuns: 1000 },
    );
  });
});

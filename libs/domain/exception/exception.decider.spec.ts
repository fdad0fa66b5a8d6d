import { CatalogCode, decideException, driftCheckedAt, driftSignal, evolveException, ExceptionCommand, ExceptionEvent, ExceptionState, initialExceptionState } from './exception.decider';
import { decidePostReview, evolvePostReview, initialPostReviewState, PostReviewCommand, PostReviewEvent, PostReviewState } from './post-review.decider';

const T0 = '2026-11-22T10:00:00.000Z';
const at = (h: number) => new Date(Date.parse(T0) + h * 3600_000).toISOString();
const catalog = new Map<string, CatalogCode>([
  ['CUSTOMER_UNREACHABLE', { code: 'CUSTOMER_UNREACHABLE', owner: 'support-lead', slaMs: 24 * 3600_000 }],
  ['SAFETY_HOLD', { code: 'SAFETY_HOLD', owner: 'safety-officer', slaMs: 2 * 3600_000 }],
]);
const raise: ExceptionCommand = { type: 'RaiseException', exceptionId: 'ex-1', workOrderId: 'wo-1', stepId: 'confirm-customer', code: 'CUSTOMER_UNREACHABLE', rationale: 'no answer twice', by: 'op-1', catalog, allowed: ['CUSTOMER_UNREACHABLE'] };

function run<S, C, E>(decide: (c: C, s: S, now: string) => E[], evolve: (s: S, e: E) => S, init: S, steps: Array<[C, string]>) {
  let state = init;
  const events: E[] = [];
  for (const [c, now] of steps) {
    const produced = decide(c, state, now);
    events.push(...produced);
    state = produced.reduce(evolve, state);
  }
  return { state, events };
}
const exceptions = (steps: Array<[ExceptionCommand, string]>) => run<ExceptionState, ExceptionCommand, ExceptionEvent>(decideException, evolveException, initialExceptionState(), steps);
const reviews = (steps: Array<[PostReviewCommand, string]>) => run<PostReviewState, PostReviewCommand, PostReviewEvent>(decidePostReview, evolvePostReview, initialPostReviewState(), steps);

describe('exception decider', () => {
  it('raises with owner and SLA from the catalog', () => {
    const { events } = exceptions([[raise, T0]]);
    expect(events[0]).toMatchObject({ type: 'ExceptionRaised', data: { code: 'CUSTOMER_UNREACHABLE', owner: 'support-lead', dueAt: at(24), stepId: 'confirm-customer' } });
  });
  it.each([
    ['free text', { code: 'customer did not answer' }],
    ['a code outside the workflow subset', { code: 'SAFETY_HOLD' }],
  ])('refuses %s (unknown_exception_code)', (_w, change) => {
    expect(() => exceptions([[{ ...raise, ...change } as ExceptionCommand, T0]])).toThrow(expect.objectContaining({ code: 'unknown_exception_code' }) as unknown as Error);
  });
  it('resolves only with a resolution and evidence, once', () => {
    expect(() => exceptions([[raise, T0], [{ type: 'ResolveException', by: 'op-1', resolution: 'called back', evidence: [] }, at(1)]])).toThrow(expect.objectContaining({ code: 'evidence_required' }) as unknown as Error);
    const done = exceptions([[raise, T0], [{ type: 'ResolveException', by: 'op-1', resolution: 'called back', evidence: [{ kind: 'call-log', ref: 'c-1' }] }, at(1)]]);
    expect(done.state.status).toBe('resolved');
    expect(() => decideException({ type: 'ResolveException', by: 'op-1', resolution: 'x', evidence: [{ kind: 'k', ref: 'r' }] }, done.state, at(2))).toThrow(
      expect.objectContaining({ code: 'exception_resolved' }) as unknown as Error,
    );
  });
  it('records an SLA breach once, when due, only while open', () => {
    const { events } = exceptions([[raise, T0], [{ type: 'Tick' }, at(23)], [{ type: 'Tick' }, at(24)], [{ type: 'Tick' }, at(30)]]);
    expect(events.map((e) => e.type)).toEqual(['ExceptionRaised', 'SlaBreached']);
    const resolved = exceptions([[raise, T0], [{ type: 'ResolveException', by: 'o', resolution: 'r', evidence: [{ kind: 'k', ref: 'r' }] }, at(1)], [{ type: 'Tick' }, at(48)]]);
    expect(resolved.events.map((e) => e.type)).not.toContain('SlaBreached');
  });
  it('adds remediation tasks and closes them with evidence', () => {
    const { state } = exceptions([
      [raise, T0],
      [{ type: 'AddRemediation', taskId: 't-1', title: 'validate phone numbers at intake', owner: 'intake-lead', due: at(72), by: 'support-lead' }, at(1)],
      [{ type: 'CloseRemediation', taskId: 't-1', evidence: { kind: 'change', ref: 'PR-42' }, by: 'intake-lead' }, at(5)],
    ]);
    expect(state.status !== 'none' && state.remediations).toEqual([expect.objectContaining({ taskId: 't-1', closed: true })]);
    const close = (taskId: string, evidence = { kind: 'change', ref: 'PR-43' }): ExceptionCommand => ({ type: 'CloseRemediation', taskId, evidence, by: 'intake-lead' });
    expect(() => decideException(close('t-1'), state, at(6))).toThrow(expect.objectContaining({ code: 'remediation_closed' }) as unknown as Error);
    expect(() => decideException(close('t-9'), state, at(6))).toThrow(expect.objectContaining({ code: 'not_found' }) as unknown as Error);
  });

  it('refuses a remediation task without a title, owner or due time, and closing one without evidence', () => {
    const { state } = exceptions([[raise, T0], [{ type: 'AddRemediation', taskId: 't-1', title: 'x', owner: 'o', due: at(5), by: 'b' }, at(1)]]);
    expect(() => decideException({ type: 'AddRemediation', taskId: 't-2', title: '', owner: 'o', due: 'never', by: 'b' }, state, at(2))).toThrow(
      expect.objectContaining({ code: 'validation_failed' }) as unknown as Error,
    );
    expect(() => decideException({ type: 'CloseRemediation', taskId: 't-1', evidence: { kind: '', ref: '' }, by: 'b' }, state, at(2))).toThrow(
      expect.objectContaining({ code: 'evidence_required' }) as unknown as Error,
    );
  });
});

describe('drift signal', () => {
  it('signals a code repeating N times in the window, once per window', () => {
    const raised = [at(0), at(1), at(2)];
    expect(driftSignal('CUSTOMER_UNREACHABLE', raised.slice(0, 2), at(3), 24 * 3600_000, 3)).toBeNull();
    const id = driftSignal('CUSTOMER_UNREACHABLE', raised, at(3), 24 * 3600_000, 3);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(driftSignal('CUSTOMER_UNREACHABLE', [...raised, at(3)], at(3.5), 24 * 3600_000, 3)).toBe(id);
    expect(driftSignal('CUSTOMER_UNREACHABLE', raised, at(40), 24 * 3600_000, 3)).toBeNull();
  });

  it('signals whatever order the raises are recorded in, and a late check finds the window of its own time', () => {
    const window = 24 * 3600_000;
    // Raised at 0, 1 and 2 (hours), recorded 0, 2, 1: the check of the raise at 2 sees two of
    // them, the check of the raise at 1 (recorded last) sees all three.
    const whenTwoRecorded = [at(0), at(2)];
    expect(driftSignal('ADDRESS_INVALID', whenTwoRecorded, driftCheckedAt(whenTwoRecorded, at(2), window, 3), window, 3)).toBeNull();
    const all = [at(0), at(2), at(1)];
    const signal = driftSignal('ADDRESS_INVALID', [at(0), at(1), at(2)], at(2), window, 3);
    expect(driftCheckedAt(all, at(1), window, 3)).toBe(at(2));
    expect(driftSignal('ADDRESS_INVALID', all, driftCheckedAt(all, at(1), window, 3), window, 3)).toBe(signal);
    expect(driftSignal('ADDRESS_INVALID', all, at(1), window, 3)).toBeNull(); // as of its own time, it never signals
    // Checked late, with a much later raise known: still the window that holds the raise checked.
    const later = [...all, at(24 * 30)];
    expect(driftCheckedAt(later, at(0), window, 3)).toBe(at(2));
    expect(driftSignal('ADDRESS_INVALID', later, driftCheckedAt(later, at(0), window, 3), window, 3)).toBe(signal);
  });
});

describe('post-review decider', () => {
  const create: PostReviewCommand = { type: 'CreatePostReview', postReviewId: 'pr-1', workOrderId: 'wo-1', exceptionId: 'ex-1', reviewer: 'support-lead', dueAt: at(48) };
  const complete = (by = 'support-lead', remediation: unknown = { title: 'add address check', owner: 'intake-lead', due: at(200) }): PostReviewCommand =>
    ({ type: 'CompletePostReview', by, outcome: 'justified, but the check was missing', remediation }) as PostReviewCommand;

  it('notifies the reviewer once when overdue, then completes with a remediation task', () => {
    const { events, state } = reviews([[create, T0], [{ type: 'Tick' }, at(47)], [{ type: 'Tick' }, at(49)], [{ type: 'Tick' }, at(60)], [complete(), at(61)], [{ type: 'Tick' }, at(90)]]);
    expect(events.map((e) => e.type)).toEqual(['PostReviewCreated', 'PostReviewOverdue', 'PostReviewCompleted']);
    expect(events[2]).toMatchObject({ data: { remediation: { owner: 'intake-lead', taskId: expect.any(String) } } });
    expect(state.status).toBe('completed');
  });
  it('refuses completion without a remediation, or by anyone but the reviewer', () => {
    expect(() => reviews([[create, T0], [complete('support-lead', null), at(1)]])).toThrow(expect.objectContaining({ code: 'remediation_required' }) as unknown as Error);
    expect(() => reviews([[create, T0], [complete('agent-7'), at(1)]])).toThrow(expect.objectContaining({ code: 'not_reviewer' }) as unknown as Error);
  });
});

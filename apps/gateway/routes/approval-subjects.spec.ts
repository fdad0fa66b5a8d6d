import type { DecisionRecord } from '@workgate/contracts';
import { argumentsOf, masked, subjectOf } from './approval-subjects';

const decision = (over: Partial<DecisionRecord>): DecisionRecord => ({
  receiptId: 'r',
  actionId: 'a',
  at: '2026-01-01T00:00:00.000Z',
  action: { system: 'files', operation: 'write_file', kind: 'write' },
  facts: {},
  decision: 'wait',
  reason: 'rule',
  message: 'rule "writes-need-owner" says wait',
  rule: 'writes-need-owner',
  decisionOwner: 'files-owner',
  policy: { jobType: 'agent-files', version: 1, sha256: '0'.repeat(64) },
  ...over,
});
const HASH = 'ab'.repeat(32);

describe('what an approval decides (its subject)', () => {
  it('names the action a gate stopped and says approving opens the gate without running it', () => {
    const stopped = decision({
      action: { system: 'email', operation: 'send', kind: 'write', objects: ['customer:7'] },
      decision: 'stop',
      message: 'overlay launch applies: the security-review gate is requested',
      approvalId: 'g1',
    });
    const subject = subjectOf({ approvalId: 'g1', owner: 'sec', kind: 'security-review' }, [stopped], new Map());
    expect(subject.blocks).toEqual({ action: stopped.action, message: stopped.message });
    expect(subject.releases).toBe(
      'Approving opens the security-review gate. It does not run write email send on customer:7 by itself: that action is decided again when it is asked again, and runs if nothing else holds it.',
    );
    expect(subject.toolCall).toBeUndefined();
  });

  it("links an agent's request_action to the gateway's call of the same tool that followed it, both ways", () => {
    const asked = decision({ approvalId: 'p1' });
    const call = decision({ approvalId: 'p2', action: { ...asked.action, argumentsSha256: HASH } });
    const other = decision({ approvalId: 'p0', action: { system: 'files', operation: 'move_file', kind: 'write' } });
    const all = [other, asked, call];
    expect(subjectOf({ approvalId: 'p2', owner: 'o' }, all, new Map()).follows).toBe('p1');
    expect(subjectOf({ approvalId: 'p1', owner: 'o' }, all, new Map()).followedBy).toBe('p2');
    expect(subjectOf({ approvalId: 'p0', owner: 'o' }, all, new Map())).not.toHaveProperty('followedBy');
  });

  it('folds a value past 280 characters under its first 280, and masks credential-shaped text in values', () => {
    const long = `${'x'.repeat(300)} password=hunter22`;
    const [content, path] = argumentsOf(JSON.stringify({ content: long, path: '/w/a.md' }));
    expect(content).toEqual({ name: 'content', value: long, preview: 'x'.repeat(280), length: 318, folded: true });
    expect(path).toEqual({ name: 'path', value: '/w/a.md', preview: '/w/a.md', length: 7, folded: false });
    const call = decision({
      approvalId: 'p2',
      action: { system: 'files', operation: 'write_file', kind: 'write', argumentsSha256: HASH },
    });
    const kept = new Map([[HASH, JSON.stringify({ content: long, path: '/w/a.md' })]]);
    const subject = subjectOf({ approvalId: 'p2', owner: 'o' }, [call], kept);
    expect(subject.toolCall?.file?.path).toBe('/w/a.md');
    const seen = masked(subject).toolCall!;
    expect(seen.masked).toBe(true);
    expect(seen.arguments![0].value).toBe(`${'x'.repeat(300)} [redacted]`);
    expect(seen.argumentsSha256).toBe(HASH);
  });
});

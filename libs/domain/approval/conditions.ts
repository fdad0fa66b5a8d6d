import {
  ApprovalCondition,
  ConditionInput,
  Evidence,
  EvidenceInput,
  evidenceList,
  evidenceProblems,
  FieldProblem,
  refuse,
} from '@workgate/contracts';
import { dueTime } from '@workgate/workflow';

/**
 * The conditions a conditional approval names, each a title or `{id?, title, owner?, due?}`: ids
 * `c1`, `c2`, ... unless given (unique), the owner is who must meet it, due an RFC 3339 time or a
 * duration from `now`. The owner is never the requester: a condition of a request is met by someone
 * else (docs/api.md, What the commands record). Refuses with every problem, each by its path.
 */
export function conditionsOf(
  inputs: ConditionInput[],
  now: string,
  requester: string,
  /** On an approval of several approvers: the conditions others named before (ids stay unique) and who names these (their owner unless given). */
  among: { taken: ApprovalCondition[]; namedBy: string } | undefined = undefined,
): ApprovalCondition[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>((among?.taken ?? []).map((c) => c.conditionId));
  const offset = among?.taken.length ?? 0;
  const conditions = inputs.map((input, i): ApprovalCondition => {
    const c = typeof input === 'string' ? { title: input } : input;
    const title = typeof c.title === 'string' ? c.title.trim() : '';
    if (!title) problems.push({ path: `conditions[${i}].title`, message: 'is required' });
    const conditionId = c.id ?? `c${offset + i + 1}`;
    if (seen.has(conditionId))
      problems.push({ path: `conditions[${i}].id`, message: `"${conditionId}" names another condition too` });
    seen.add(conditionId);
    const due = c.due === undefined ? undefined : dueTime(c.due, now);
    if (due && !due.ok) problems.push({ path: `conditions[${i}].due`, message: due.problem });
    const owner = c.owner?.trim() || among?.namedBy;
    if (owner === requester)
      problems.push({
        path: `conditions[${i}].owner`,
        message: `is the requester (${requester}): a condition of a request is met by someone other than its requester`,
      });
    return {
      conditionId,
      text: title,
      ...(owner ? { owner } : {}),
      ...(due?.ok ? { dueAt: due.at } : {}),
      closed: false,
    };
  });
  if (inputs.length === 0)
    problems.push({ path: 'conditions', message: 'a conditional approval needs at least one condition' });
  if (problems.length)
    throw refuse(
      'validation_failed',
      `the conditions have ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
      problems,
    );
  return conditions;
}

/**
 * The condition `by` may close with `evidence`, with the conditions left open after it. Separation
 * of duties (docs/api.md, What the commands record): whoever a condition names, the requester never closes one of
 * its own request (`self_approval`); else its owner or the approval's owner closes it, with at
 * least one piece of evidence, each with a kind and a ref.
 */
export function conditionToClose(
  approval: { approvalId: string; owner: string; requestedBy: string; conditions: ApprovalCondition[] },
  command: { by: string; conditionId: string; evidence: EvidenceInput },
): { condition: ApprovalCondition; evidence: Evidence[]; open: ApprovalCondition[] } {
  const { approvalId, owner, conditions } = approval;
  const condition = conditions.find((c) => c.conditionId === command.conditionId);
  if (!condition) throw refuse('not_found', `approval ${approvalId} has no condition ${command.conditionId}`);
  if (command.by === approval.requestedBy)
    throw refuse('self_approval', 'the requester may not close a condition of its own request');
  if (command.by !== owner && command.by !== condition.owner) {
    const closers = [...new Set([condition.owner ?? owner, owner])].join(' or ');
    throw refuse('not_owner', `only ${closers} closes condition ${condition.conditionId} of approval ${approvalId}`);
  }
  if (condition.closed) throw refuse('condition_closed', `condition ${command.conditionId} is already closed`);
  const evidence = evidenceList(command.evidence);
  const problems = evidenceProblems(evidence, 'closing a condition');
  if (problems.length) throw refuse('validation_failed', `${problems[0].path}: ${problems[0].message}`, problems);
  const open = conditions.filter((c) => !c.closed && c.conditionId !== condition.conditionId);
  return { condition, evidence, open };
}

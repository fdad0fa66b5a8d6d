import { ApprovalCondition, ConditionInput, FieldProblem, refuse } from '@workgate/contracts';
import { dueTime } from '@workgate/workflow';

/**
 * The conditions a conditional approval names, each a title or `{id?, title, owner?, due?}`: ids
 * `c1`, `c2`, ... unless given (unique), the owner is who must meet it, due an RFC 3339 time or a
 * duration from `now`. Refuses with every problem, each by its path.
 */
export function conditionsOf(inputs: ConditionInput[], now: string): ApprovalCondition[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const conditions = inputs.map((input, i): ApprovalCondition => {
    const c = typeof input === 'string' ? { title: input } : input;
    const title = typeof c.title === 'string' ? c.title.trim() : '';
    if (!title) problems.push({ path: `conditions[${i}].title`, message: 'is required' });
    const conditionId = c.id ?? `c${i + 1}`;
    if (seen.has(conditionId))
      problems.push({ path: `conditions[${i}].id`, message: `"${conditionId}" names another condition too` });
    seen.add(conditionId);
    const due = c.due === undefined ? undefined : dueTime(c.due, now);
    if (due && !due.ok) problems.push({ path: `conditions[${i}].due`, message: due.problem });
    const owner = c.owner?.trim();
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

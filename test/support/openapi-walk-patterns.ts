import type { PatternVersion } from '@workgate/contracts';
import { Call, expecting } from './openapi-walk-day';
import { eventually } from './processes';

/**
 * The pattern routes of the walk of every route (test/contract/openapi.e2e-spec.ts,
 * docs/patterns.md, The API): a pattern published, published again, refused, read back, and a
 * widening version listed while it waits and withdrawn.
 */
export async function walkThePatterns(as: Record<string, Call>): Promise<void> {
  const { ok, refused } = expecting();
  const pattern = {
    name: 'walk-controls',
    version: 1,
    title: 'Controls of the walk',
    owner: 'lead',
    locked: ['rules'],
    rules: [{ id: 'no-purges', when: 'action.operation == "purge"', decision: 'stop' }],
  };
  await ok(as.admin('POST', '/v1/patterns', pattern), 201);
  // Version 2 as `{definition}`; the same content again records nothing (position 0, test/patterns.e2e-spec.ts).
  await ok(as.admin('POST', '/v1/patterns', { definition: { ...pattern, version: 2, title: 'Walk controls' } }), 201);
  await refused(as.admin('POST', '/v1/patterns', { ...pattern, title: 'Changed at version 1' }), 409);
  await refused(as.admin('POST', '/v1/patterns', { ...pattern, version: 3, locked: ['steps'] }), 422);
  await refused(as.lead('POST', '/v1/patterns', { ...pattern, version: 3 }), 403);
  await ok(as.agent('GET', '/v1/patterns'));
  await refused(as.anonymous('GET', '/v1/patterns'), 401);
  const newest = await ok(as.agent<PatternVersion>('GET', '/v1/patterns/walk-controls'));
  await refused(as.agent('GET', '/v1/patterns/no-such-pattern'), 404);
  await ok(as.agent('GET', `/v1/patterns/walk-controls/versions/${newest.version}`));
  await refused(as.agent('GET', '/v1/patterns/walk-controls/versions/9'), 404);
  // A widening version 3 waits for the owner: listed among the pattern's pending changes once in the views, then withdrawn.
  const widening = {
    ...pattern,
    version: 3,
    title: 'Walk controls',
    systems: [{ name: 'tracker', read: true, write: ['comment'] }],
  };
  const proposed = await ok(as.admin<{ changeId: string }>('POST', '/v1/patterns', widening), 202);
  const listed = async () =>
    JSON.stringify(await ok(as.admin('GET', '/v1/patterns/walk-controls/changes'))).includes(proposed.changeId);
  await eventually(listed, 10_000, 'the proposed pattern change among the pending changes');
  await refused(as.agent('GET', '/v1/patterns/walk-controls/changes'), 403);
  const withdraw = (changeId: string) => as.admin('POST', `/v1/patterns/walk-controls/changes/${changeId}/withdraw`);
  await ok(withdraw(proposed.changeId), 200);
  await refused(withdraw(proposed.changeId), 409);
  await refused(withdraw('no-such-change'), 404);
  await ok(as.agent('GET', '/v1/patterns/governed-checklist/derived'));
  await refused(as.agent('GET', '/v1/patterns/no-such-pattern/derived'), 404);
}

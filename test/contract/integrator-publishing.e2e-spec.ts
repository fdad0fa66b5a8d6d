import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { INTEGRATOR_PRINCIPALS, onSharedWorkgate, openSupportRecovery } from '../support/suite';
import { volume } from '../support/volume';
import type {
  ActionAnswer,
  ApprovalQueueRow,
  OpenedAnswer,
  PublishWorkflowResult,
  WorkOrderHandoff,
  WorkOrderListItem,
  WorkflowVersion,
} from '@workgate/contracts';
import type { ErrorBody } from '../support/answers';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
/** 50 in `npm test`, 200 in the faults tier (test/support/volume.ts). */
const N = volume(50, 200);

/**
 * The integrator's contract (docs/api.md, Conventions), as a third party meets it: workflow files
 * published as they are, and every write readable at once by the same key, without a sleep. On the
 * worker's shared workgate: the job types published here (field-work-order, fresh-*) and the
 * sources (contract, ryw) are this file's alone.
 */
describe('the integrator contract: publishing, and reading your own writes', () => {
  const suite = onSharedWorkgate(INTEGRATOR_PRINCIPALS);
  const { as } = suite;

  describe('publishing a workflow', () => {
    const yamlText = readFileSync(join(WORKFLOWS, 'field-work-order.yaml'), 'utf8');
    const bumped = (version: number) => yamlText.replace(/^version: \d+/m, `version: ${version}`);

    it('takes a shipped file as raw YAML and as raw JSON (201), and the {definition} wrapper too', async () => {
      const same = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', yamlText, {
        'Content-Type': 'application/yaml',
      });
      expect(same).toMatchObject({ status: 201, body: { jobType: 'field-work-order', created: false } });
      const yaml = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', bumped(2), {
        'Content-Type': 'text/yaml',
      });
      expect(yaml).toMatchObject({ status: 201, body: { jobType: 'field-work-order', version: 2, created: true } });
      expect(Number(yaml.headers.get('workgate-position'))).toBeGreaterThan(0);
      const json = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', parse(bumped(3)));
      expect(json).toMatchObject({ status: 201, body: { version: 3, created: true } });
      const wrapped = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', { definition: bumped(4) });
      expect(wrapped).toMatchObject({ status: 201, body: { version: 4, created: true } });
      expect((await as.admin<WorkflowVersion>('GET', '/v1/workflows/field-work-order')).body).toMatchObject({
        version: 4,
      });
    });

    it('refuses other media types (415), a version that is not higher (409) and one out of range (422)', async () => {
      expect(await as.admin('POST', '/v1/workflows', bumped(9), { 'Content-Type': 'text/plain' })).toMatchObject({
        status: 415,
        body: { error: 'unsupported_media_type' },
      });
      const changedV3 = bumped(3).replace(/^title: .*$/m, 'title: A different version 3');
      expect(await as.admin('POST', '/v1/workflows', changedV3, { 'Content-Type': 'application/yaml' })).toMatchObject({
        status: 409,
        body: { error: 'version_not_higher' },
      });
      // The same content again is not a new version: nothing is written and the answer says so.
      expect(await as.admin('POST', '/v1/workflows', bumped(3), { 'Content-Type': 'application/yaml' })).toMatchObject({
        status: 201,
        body: { version: 3, created: false },
      });
      for (const version of ['2147483648', '1e308']) {
        const res = await as.admin<ErrorBody>(
          'POST',
          '/v1/workflows',
          yamlText.replace(/^version: \d+/m, `version: ${version}`),
          {
            'Content-Type': 'application/yaml',
          },
        );
        expect({ version, status: res.status, error: res.body.error }).toEqual({
          version,
          status: 422,
          error: 'invalid_definition',
        });
        expect(res.body.details).toContainEqual(expect.objectContaining({ path: 'version' }));
      }
    });
  });

  it('opens a work order on the version whose publish has just answered, every time (no wait)', async () => {
    const source = readFileSync(join(WORKFLOWS, 'support-recovery.yaml'), 'utf8');
    // Five job types at once, each published six times, each open sent the moment its publish answered.
    const chain = async (jobType: string): Promise<number[]> => {
      const opened: number[] = [];
      for (let version = 1; version <= 6; version++) {
        const yaml = source
          .replace(/^jobType: .*$/m, `jobType: ${jobType}`)
          .replace(/^version: \d+/m, `version: ${version}`);
        expect(await as.admin('POST', '/v1/workflows', yaml, { 'Content-Type': 'application/yaml' })).toMatchObject({
          status: 201,
          body: { version, created: true },
        });
        const open = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
          jobType,
          externalRef: `${jobType}-${version}`,
          source: 'contract',
          inputs: { caseId: 'c', orderId: 'o', orderPaid: true },
        });
        expect(open.status).toBe(201);
        opened.push(
          (await as.helpdesk<WorkOrderHandoff>('GET', `/v1/work-orders/${open.body.id}`)).body.workflow.version,
        );
      }
      return opened;
    };
    const chains = await Promise.all(['fresh-a', 'fresh-b', 'fresh-c', 'fresh-d', 'fresh-e'].map(chain));
    expect(chains).toEqual(Array(5).fill([1, 2, 3, 4, 5, 6]));
  });

  describe('reading your own writes, without a sleep', () => {
    it(`finds each of ${N} work orders in the list the moment its open answered`, async () => {
      const missed: string[] = [];
      for (let i = 0; i < N; i++) {
        const ref = `RYW-${i}`;
        const opened = await openSupportRecovery(as)(ref, { caseId: ref, orderId: '1', orderPaid: true }, 'ryw');
        expect(opened.status).toBe(201);
        const list = await as.helpdesk<WorkOrderListItem[]>('GET', `/v1/work-orders?source=ryw&externalRef=${ref}`);
        if (list.body.length !== 1 || list.body[0].id !== opened.body.id) missed.push(ref);
      }
      expect(missed).toEqual([]);
    });

    it(`finds each of ${N} approvals in its owner's queue the moment the wait answered`, async () => {
      const missed: string[] = [];
      for (let i = 0; i < N; i++) {
        const ref = `RYW-Q-${i}`;
        const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
          jobType: 'support-recovery',
          externalRef: ref,
          source: 'ryw',
          inputs: { caseId: ref, orderId: '1', orderPaid: true },
        });
        const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
          system: 'payments',
          operation: 'refund',
          kind: 'write',
        });
        // The owner reads the queue with the position the integrator's write answered.
        const queue = await as['support-lead']<ApprovalQueueRow[]>(
          'GET',
          '/v1/approvals?owner=support-lead&status=requested&limit=1000',
          undefined,
          { 'Workgate-Min-Position': wait.headers.get('workgate-position')! },
        );
        if (!queue.body.some((a) => a.approvalId === wait.body.approvalId)) {
          // What was seen, so that a miss says whether the write, the position or the view fell short.
          missed.push(
            `${ref}: ${wait.status} ${wait.body.decision} ${wait.body.approvalId} at ${wait.headers.get('workgate-position')}; queue ${queue.status} with ${queue.body.length}`,
          );
        }
      }
      expect(missed).toEqual([]);
    });

    it('answers 503 not_caught_up with Retry-After for a position the views cannot reach in time, and 422 for a malformed one', async () => {
      const far = await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?limit=1', undefined, {
        'Workgate-Min-Position': '999999999',
      });
      expect(far).toMatchObject({ status: 503, body: { error: 'not_caught_up' } });
      expect(far.headers.get('retry-after')).toBe('1');
      expect(
        await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?limit=1', undefined, {
          'Workgate-Min-Position': 'soon',
        }),
      ).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
    }, 20_000);
  });
});

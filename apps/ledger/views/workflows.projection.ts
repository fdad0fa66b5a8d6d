import { PolicyEvents, WorkOrderEvents } from '@workgate/contracts';
import { DEFAULT_STALL_AFTER, parseDuration } from '@workgate/workflow';
import { Handles } from './view-event';
import { View } from './view-projection';
import { ViewTable } from './view-table';

/** A workflow version as the work-order and step views need it: its stall threshold and its steps. */
export interface WorkflowRow {
  jobType: string;
  version: number;
  stallAfterMs: number;
  steps: number;
  /** Step id -> its place in the definition (0 first). */
  stepOrder: Record<string, number>;
  publishedAt: string;
  /** The department the version names (`department: <id>`); null without one. */
  department: string | null;
}

export const DEFAULT_STALL_MS = parseDuration(DEFAULT_STALL_AFTER) ?? 0;

const handles = { [PolicyEvents.WorkflowPublished]: 'workflow' } as const satisfies Handles;

export const workflowKey = (jobType: string, version: number) => `${jobType}@${version}`;

/** `view_workflows`: every workflow version published (few rows: read whole by a page that opens work orders). */
export const workflowsView: View<WorkflowRow, typeof handles, unknown> = {
  table: new ViewTable<WorkflowRow>('view_workflows', 'job_type, version', [
    ['job_type', 'text', 'jobType'],
    ['version', 'bigint', 'version'],
    ['stall_after_ms', 'bigint', 'stallAfterMs'],
    ['steps', 'int', 'steps'],
    ['step_order', 'jsonb', 'stepOrder'],
    ['published_at', 'timestamptz', 'publishedAt'],
    ['department', 'text', 'department'],
  ]),
  handles,
  read: { by: 'table', when: [WorkOrderEvents.Opened] },
  key: (row) => workflowKey(row.jobType, row.version),
  ids: (e) => [workflowKey(e.data.jobType, e.data.version)],
  evolve: (_row, e) => ({
    jobType: e.data.jobType,
    version: e.data.version,
    stallAfterMs: parseDuration(e.data.definition.stallAfter ?? DEFAULT_STALL_AFTER) ?? DEFAULT_STALL_MS,
    steps: e.data.definition.steps?.length ?? 0,
    stepOrder: Object.fromEntries((e.data.definition.steps ?? []).map((s, i) => [s.id, i])),
    publishedAt: e.recordedAt,
    department: e.data.definition.department ?? null,
  }),
};

/** The workflow version a page has for this job type and version. */
export type WorkflowLookup = { workflow(jobType: string, version: number): WorkflowRow | undefined };

import { isPlainObject } from '@workgate/contracts';
import { ApiRefusal, WorkgateApi } from './workgate-api';

type Json = Record<string, unknown>;

/** An answer of the API as a tool's structured content: an object (every route these tools call answers one). */
const objectOf = (answer: unknown): Json => (isPlainObject(answer) ? answer : { answer });

/** Calls the API for an object answer. */
const callFor = async (api: WorkgateApi, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Json> =>
  objectOf(await api.call(method, path, body));

/** A tool of workgate's MCP server: what an agent sees, and the `/v1` call it makes. */
export interface WorkgateTool {
  name: string;
  title: string;
  description: string;
  inputSchema: Json & { type: 'object' };
  annotations?: {
    readOnlyHint?: boolean;
    destructiveHint?: boolean;
    idempotentHint?: boolean;
    openWorldHint?: boolean;
  };
  /** `signal` aborts when the caller goes away. */
  run(args: Json, api: WorkgateApi, signal?: AbortSignal): Promise<Json>;
}

const uuid = { type: 'string', format: 'uuid' };
const str = (description: string, extra: Json = {}) => ({ type: 'string', minLength: 1, description, ...extra });
const evidence = {
  type: 'object',
  required: ['kind', 'ref'],
  properties: {
    kind: str('what it is, e.g. receipt, test-report'),
    ref: str('where it is: a URL, a path, an id'),
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    private: { type: 'boolean' },
    note: { type: 'string' },
  },
  additionalProperties: false,
};
const enc = encodeURIComponent;

/** The longest wait_for_approval blocks, in seconds. */
const MAX_WAIT_SECONDS = 600;

/** Blocks until the approval leaves `requested`, the time is up or the caller goes away, polling its state. */
async function waitForApproval(
  api: WorkgateApi,
  approvalId: string,
  timeoutSeconds: unknown,
  signal?: AbortSignal,
): Promise<Json> {
  const seconds = timeoutSeconds === undefined ? 60 : Number(timeoutSeconds);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_WAIT_SECONDS) {
    throw new ApiRefusal(422, {
      error: 'validation_failed',
      message: `timeoutSeconds must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`,
    });
  }
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const approval = await callFor(api, 'GET', `/v1/approvals/${enc(approvalId)}`);
    if (approval.status !== 'requested' || Date.now() >= until || signal?.aborted)
      return { ...approval, waitedUntilDecided: approval.status !== 'requested' };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(500, Math.max(0, until - Date.now())));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * workgate's MCP tools (docs/agents.md, workgate's tools), after the delegation contract agents already follow: each is one
 * call of the `/v1` API with the caller's key, so roles, validation, idempotency and the ledger
 * apply as over HTTP.
 */
export const WORKGATE_TOOLS: WorkgateTool[] = [
  {
    name: 'open_work_order',
    title: 'Open a work order',
    description:
      "Opens a governed work order of a job type for a source system's reference (opening the same source and externalRef again answers the one already open). Prerequisites are checked at once: a failed one blocks the work order with an owned exception. Answers its id and status.",
    inputSchema: {
      type: 'object',
      required: ['jobType', 'externalRef', 'source', 'inputs'],
      properties: {
        jobType: str('the workflow, e.g. support-recovery'),
        externalRef: str('the reference the source system knows it by'),
        source: str('the system the work comes from'),
        inputs: { type: 'object', description: 'the facts the workflow requires (its requiredInputs)' },
        owner: str("the decision owner, when not the workflow's"),
      },
      additionalProperties: false,
    },
    run: (a, api) => callFor(api, 'POST', '/v1/work-orders', a),
  },
  {
    name: 'request_action',
    title: 'Ask to act: run, wait or stop',
    description:
      "Asks whether an action may be done inside the work order's boundary, before doing it. Answers `decision`: run (go ahead), wait (do not act: the named `decisionOwner` must approve `approvalId` first; call wait_for_approval) or stop (do not act: `reason` and `message` say why, `decisionOwner` who can change it), with the `receiptId` of the decision in the ledger.",
    inputSchema: {
      type: 'object',
      required: ['workOrderId', 'system', 'operation', 'kind'],
      properties: {
        workOrderId: uuid,
        system: str('the named system to touch, e.g. payments'),
        operation: str('what to do there, e.g. refund'),
        kind: { type: 'string', enum: ['read', 'write'] },
        facts: { type: 'object', description: 'facts the rules decide on, e.g. {"amount": 40}' },
        objects: {
          type: 'array',
          items: { type: 'string' },
          description: 'the objects the action touches, e.g. ["order:123"]',
        },
        stepId: str('the checklist step it belongs to'),
        rollbackNote: {
          type: 'string',
          maxLength: 2000,
          description:
            'how to undo the write, in words a person can follow: a write to a system with `rollback: required` stops with rollback_note_required without one (kept as private evidence)',
        },
      },
      additionalProperties: false,
    },
    run: ({ workOrderId, ...action }, api) =>
      callFor(api, 'POST', `/v1/work-orders/${enc(String(workOrderId))}/actions`, action),
  },
  {
    name: 'wait_for_approval',
    title: 'Wait for an approval',
    description:
      "Blocks until the approval's owner decides (approved, conditional, rejected) or it expires, or at most timeoutSeconds; answers its status. Only `approved` (or `conditional` with its conditions met) lets the action run: ask request_action again.",
    inputSchema: {
      type: 'object',
      required: ['approvalId'],
      properties: { approvalId: uuid, timeoutSeconds: { type: 'integer', minimum: 0, maximum: 600, default: 60 } },
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true },
    run: (a, api, signal) => waitForApproval(api, String(a.approvalId), a.timeoutSeconds, signal),
  },
  {
    name: 'send_message',
    title: 'Delegate a task',
    description:
      "Sends `delegate_task` or `execute` to a recipient's inbox under the work order's timeout contract. Answers `dispatch-id` and `dispatch-created-at` (keep them). Completion is confirmed by an operator, never by the delegate's reply: after sending, stop and wait for the operator. Never share private planning paths (brain/, task.md).",
    inputSchema: {
      type: 'object',
      required: ['workOrderId', 'recipient', 'command', 'prompt'],
      properties: {
        workOrderId: uuid,
        recipient: str('the principal that receives it'),
        command: { type: 'string', enum: ['delegate_task', 'execute'] },
        prompt: {
          type: 'object',
          required: ['objective', 'scope', 'artifacts', 'verification', 'completion'],
          properties: {
            objective: str('what to achieve'),
            scope: str('what is in and out of scope'),
            artifacts: {
              type: 'array',
              items: {
                type: 'object',
                required: ['path', 'access'],
                properties: { path: str('a sharable path'), access: { type: 'string', enum: ['read', 'write'] } },
              },
            },
            verification: { type: 'array', items: { type: 'string' }, description: 'commands that prove it is done' },
            completion: str('the completion protocol: the worker stops and waits for the operator'),
          },
        },
        timeouts: {
          type: 'object',
          description: "initialWait, reminderEvery, backoff, hardTimeout (ISO 8601), instead of the workflow's",
        },
      },
      additionalProperties: false,
    },
    run: async ({ workOrderId, ...body }, api) => {
      const sent = await callFor(api, 'POST', `/v1/work-orders/${enc(String(workOrderId))}/delegations`, body);
      return {
        'dispatch-id': sent.dispatchId,
        'dispatch-created-at': sent.dispatchCreatedAt,
        reminders: sent.reminders,
        timeoutAt: sent.timeoutAt,
      };
    },
  },
  {
    name: 'check_inbox',
    title: 'Look at an inbox',
    description:
      "Lists a recipient's delegated messages, for visibility only: a message's presence is never completion.",
    inputSchema: {
      type: 'object',
      required: ['recipient'],
      properties: {
        recipient: str('whose inbox'),
        box: { type: 'string', enum: ['inbox'], default: 'inbox' },
        filter: { type: 'string', enum: ['delegate_task', 'execute', 'all'], default: 'all' },
        since: { type: 'string', format: 'date-time', description: 'a dispatch-created-at' },
      },
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true },
    run: async (a, api) => {
      const query = new URLSearchParams({
        filter: typeof a.filter === 'string' ? a.filter : 'all',
        ...(typeof a.since === 'string' && a.since ? { since: a.since } : {}),
      });
      return { messages: await api.call('GET', `/v1/inbox/${enc(String(a.recipient))}?${query}`) };
    },
  },
  {
    name: 'complete_workflow_phase',
    title: 'Complete a step with its artifacts',
    description:
      'Completes a checklist step of the work order with its artifacts as evidence; refused naming the evidence kinds the step still needs.',
    inputSchema: {
      type: 'object',
      required: ['workOrderId', 'stepId', 'artifacts'],
      properties: {
        workOrderId: uuid,
        stepId: str('the step'),
        artifacts: { type: 'array', items: evidence },
        note: { type: 'string' },
      },
      additionalProperties: false,
    },
    run: ({ workOrderId, stepId, artifacts, note }, api) =>
      callFor(api, 'POST', `/v1/work-orders/${enc(String(workOrderId))}/steps/${enc(String(stepId))}/complete`, {
        evidence: artifacts,
        ...(note ? { note } : {}),
      }),
  },
  {
    name: 'stop_workflow',
    title: 'Stop the work order',
    description:
      'Stops the work order with a reason (e.g. "delegation d-1 timed out") when it cannot go on; actions are refused until an operator reopens it.',
    inputSchema: {
      type: 'object',
      required: ['workOrderId', 'reason'],
      properties: { workOrderId: uuid, reason: str('why it stops') },
      additionalProperties: false,
    },
    annotations: { destructiveHint: true, idempotentHint: true },
    run: ({ workOrderId, reason }, api) =>
      callFor(api, 'POST', `/v1/work-orders/${enc(String(workOrderId))}/stop`, { reason }),
  },
  {
    name: 'get_work_order',
    title: 'Where a work order stands',
    description:
      "The work order's state handoff: status, stage, steps, approvals, open exceptions, blockers, next action and next owner; `TBD` for what is not known yet.",
    inputSchema: {
      type: 'object',
      required: ['workOrderId'],
      properties: { workOrderId: uuid },
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true },
    run: ({ workOrderId }, api) => callFor(api, 'GET', `/v1/work-orders/${enc(String(workOrderId))}`),
  },
];

/** An MCP tool result: the answer as structured content and as text; a refusal as a tool error with the API's code. */
export async function runTool(
  tool: WorkgateTool,
  args: Json,
  api: WorkgateApi,
  signal?: AbortSignal,
): Promise<{ content: Array<{ type: 'text'; text: string }>; structuredContent?: Json; isError?: boolean }> {
  try {
    const answer = await tool.run(args, api, signal);
    return { content: [{ type: 'text', text: JSON.stringify(answer) }], structuredContent: answer };
  } catch (error) {
    const refusal = error instanceof ApiRefusal ? error.body : { error: 'internal', message: 'the call failed' };
    return {
      content: [{ type: 'text', text: `${refusal.error}: ${refusal.message}` }],
      structuredContent: refusal,
      isError: true,
    };
  }
}

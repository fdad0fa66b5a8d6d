import { Injectable } from '@nestjs/common';
import {
  ActionRequest,
  ApprovalSubject,
  DecisionRecord,
  Subjects,
  ToolCallArgument,
  ToolCallSubject,
} from '@workgate/contracts';
import { maskStrings } from '@workgate/domain';
import { RpcClient } from '@workgate/messaging';
import { Principal } from '../http';
import { ToolCallArgumentsRepository } from '../mcp/tool-call-arguments.repository';

/** Characters of an argument's value shown before it is folded. */
export const PREVIEW = 280;

/** What an approval is read with: its id, work order, owner and kind. */
interface Approval {
  approvalId: string;
  actionId?: string | null;
  workOrderId?: string | null;
  owner: string;
  kind?: string | null;
}

const scopeText = (a: { kind: string; system: string; operation: string; objects?: readonly string[] }) =>
  `${a.kind} ${a.system} ${a.operation}${a.objects?.length ? ` on ${a.objects.join(', ')}` : ''}`;
const sameTool = (a: ActionRequest, b: ActionRequest) =>
  a.system === b.system && a.operation === b.operation && a.kind === b.kind;

/** Each argument as text (JSON for anything but a string), with its preview. */
export function argumentsOf(canonical: string): ToolCallArgument[] {
  const parsed: unknown = JSON.parse(canonical);
  const entries = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : [];
  return entries.map(([name, v]) => {
    const value = typeof v === 'string' ? v : JSON.stringify(v);
    const folded = value.length > PREVIEW;
    return { name, value, preview: folded ? value.slice(0, PREVIEW) : value, length: value.length, folded };
  });
}

/** The tool call of `action` (it names its arguments' hash), its arguments when kept. */
export function toolCallOf(action: ActionRequest & { argumentsSha256: string }, canonical?: string): ToolCallSubject {
  const args = canonical === undefined ? undefined : argumentsOf(canonical);
  const path = args?.find((a) => a.name === 'path')?.value;
  const content = args?.find((a) => a.name === 'content');
  const file =
    path !== undefined && content && /write/i.test(action.operation)
      ? { path, writes: `the full new content (${content.length} characters), replacing the file if it exists` }
      : undefined;
  return {
    tool: `${action.system}__${action.operation}`,
    argumentsSha256: action.argumentsSha256,
    ...(args ? { arguments: args } : {}),
    masked: false,
    ...(file ? { file } : {}),
  };
}

/**
 * What an approval decides, from its work order's decisions: the action that waits (with a tool
 * call's arguments), or the action a gate stopped; what approving releases; and, for one intent
 * asked twice (the agent's `request_action`, then the gateway's call of that tool with its
 * arguments), the link between the two approvals.
 */
export function subjectOf(approval: Approval, decisions: DecisionRecord[], kept: Map<string, string>): ApprovalSubject {
  const id = approval.approvalId;
  const at = decisions.findIndex((d) => d.approvalId === id && d.decision === 'wait');
  if (at >= 0) {
    const d = decisions[at];
    const waits = decisions.map((w, i) => ({ w, i })).filter(({ w }) => w.decision === 'wait' && w.approvalId);
    const hash = d.action.argumentsSha256;
    const link = hash
      ? waits.filter(({ w, i }) => i < at && sameTool(w.action, d.action)).pop()
      : waits.find(({ w, i }) => i > at && sameTool(w.action, d.action));
    const linked = link && (hash ? !link.w.action.argumentsSha256 : link.w.action.argumentsSha256) ? link.w : undefined;
    const toolCall = hash ? toolCallOf({ ...d.action, argumentsSha256: hash }, kept.get(hash)) : undefined;
    return {
      releases: toolCall
        ? `Approving runs this exact call once, when the agent sends it again: ${toolCall.tool} with these arguments (their SHA-256 is the hash the approval is bound to). A call with other arguments waits for an approval of its own.`
        : `Approving permits ${scopeText(d.action)} on this work order; a call of that tool through the MCP gateway is then covered whatever its arguments.`,
      action: { ...d.action, facts: d.facts },
      ...(toolCall ? { toolCall } : {}),
      ...(linked ? (hash ? { follows: linked.approvalId } : { followedBy: linked.approvalId }) : {}),
    };
  }
  const stopped = decisions.find((d) => d.approvalId === id);
  const gate = approval.kind ? `the ${approval.kind} gate` : 'this gate';
  if (!stopped) return { releases: `Approving opens ${gate} of the work order.` };
  return {
    releases: `Approving opens ${gate}. It does not run ${scopeText(stopped.action)} by itself: that action is decided again when it is asked again, and runs if nothing else holds it.`,
    blocks: { action: stopped.action, message: stopped.message },
  };
}

/** Facts and argument values with credential-shaped text masked (docs/api.md, Conventions (masking)), as every surface but the owner's and an ops lead's shows them. */
export function masked(subject: ApprovalSubject): ApprovalSubject {
  return {
    ...subject,
    ...(subject.action ? { action: { ...subject.action, facts: maskStrings(subject.action.facts) } } : {}),
    ...(subject.toolCall
      ? {
          toolCall: {
            ...subject.toolCall,
            masked: true,
            ...(subject.toolCall.arguments
              ? {
                  arguments: subject.toolCall.arguments.map((a) => ({
                    ...a,
                    value: maskStrings(a.value),
                    preview: maskStrings(a.preview),
                  })),
                }
              : {}),
            ...(subject.toolCall.file ? { file: maskStrings(subject.toolCall.file) } : {}),
          },
        }
      : {}),
  };
}

/** Adds each approval's subject, as `reader` may see it (values as sent: the approval's owner and ops leads). */
@Injectable()
export class ApprovalSubjects {
  constructor(
    private readonly rpc: RpcClient,
    private readonly toolCalls: ToolCallArgumentsRepository,
  ) {}

  async add<T extends object>(approvals: T[], reader: Principal): Promise<T[]> {
    const rows = approvals as Array<T & Approval>;
    const orders = [...new Set(rows.map((r) => r.workOrderId).filter((w): w is string => typeof w === 'string'))];
    const decided = new Map(
      await Promise.all(
        orders.map(async (w) => [w, await this.rpc.request(Subjects.intake.decisions, { workOrderId: w })] as const),
      ),
    );
    const hashes = [...decided.values()].flat().flatMap((d) => d.action.argumentsSha256 ?? []);
    const kept = await this.toolCalls.read(hashes);
    return rows.map((r) => {
      const decisions = r.workOrderId ? decided.get(r.workOrderId) : undefined;
      if (!decisions) return r;
      const subject = subjectOf(r, decisions, kept);
      const asSent = r.owner === reader.id || reader.roles.includes('ops-lead');
      const held = decisions.find((d) => d.approvalId === r.approvalId || (r.actionId && d.actionId === r.actionId));
      const decision = held && {
        decision: held.decision,
        rule: held.rule,
        message: held.message,
        policy: { jobType: held.policy.jobType, version: held.policy.version },
      };
      return { ...r, subject: asSent ? subject : masked(subject), ...(decision ? { decision } : {}) };
    });
  }
}

/** What an approval decides, as its card shows it (docs/approvers.md, "What a card shows"). */
import type { ActionRequest, Facts } from './policy';

/** One argument of a tool call: its value as text (JSON for anything but a string), folded past a preview. */
export interface ToolCallArgument {
  name: string;
  value: string;
  /** The first characters of `value` (all of it when it is not folded). */
  preview: string;
  /** Characters in `value`. */
  length: number;
  /** Longer than the preview: the card folds it. */
  folded: boolean;
}

/** The tool call an approval is bound to. */
export interface ToolCallSubject {
  /** As the agent calls it through the MCP gateway: `<system>__<tool>`. */
  tool: string;
  /** SHA-256 (hex) of the call's arguments as RFC 8785 JSON: the approval releases only the call with this hash. */
  argumentsSha256: string;
  /** Every argument, by name; absent when the gateway kept none with this hash. */
  arguments?: ToolCallArgument[];
  /** Credential-shaped text in the values is masked for this reader. */
  masked: boolean;
  /** A file write: the path and what is written, in words. */
  file?: { path: string; writes: string };
}

/** What an approval decides: the action, a tool call's arguments, or the action a gate blocks. */
export interface ApprovalSubject {
  /** What approving releases, in words. */
  releases: string;
  /** The action that waits (an action approval), with its objects and facts. */
  action?: ActionRequest & { facts?: Facts };
  toolCall?: ToolCallSubject;
  /** A gate: the decision it stopped, and the action asked. */
  blocks?: { action: ActionRequest; message: string };
  /** A tool call the agent first asked for with `request_action`: that approval (one intent, one card). */
  follows?: string;
  /** A `request_action` approval the gateway's call that followed it is decided on instead. */
  followedBy?: string;
}

/** A work event as the demo publishes it: a CloudEvent's source, subject, type, time and data. */
export type Ce = { source: string; subject: string; type: string; time: number; data: Record<string, unknown> };

/** One shipped workflow's work in the demo: its work orders, their inputs, steps, exceptions and actions, and how often each comes. */
export interface Scenario {
  jobType: string;
  source: string;
  weight: number;
  inputs: (n: number) => Record<string, unknown>;
  /** A required input to drop when the prerequisite check should fail. */
  fragileInput: string;
  steps: Array<{ id: string; evidence: string[] }>;
  closure: string[];
  /** Exception codes, each with the step that raises it (where the workflow says it fails) and its probability. */
  codes: Array<[string, string, number]>;
  /** Actions asked before some steps: [stepId, action, probability]. */
  actions: Array<
    [
      string,
      {
        system: string;
        operation: string;
        kind: 'read' | 'write';
        facts?: Record<string, unknown>;
        rollbackNote?: string;
      },
      number,
    ]
  >;
  breakGlass?: {
    code: string;
    action: { system: string; operation: string; kind: 'write' };
    p: number;
    /** Why it could not wait (default: the customer or the site could not). */
    rationale?: string;
  };
  /** A lifecycle stage's artifact recorded by the source, with its probability. */
  artifact?: { stageId: string; kind: string; p: number };
  /**
   * How far back (hours) work still asks for what waits for the workflow's owner: inside the
   * workflow's approval timeout (workflows/*.yaml), so the demo's owners decide it before it expires.
   */
  ownerWindowHours: number;
}

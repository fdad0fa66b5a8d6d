import { DecisionResult, WireError, WorkflowDefinition, WorkgateError } from '@workgate/contracts';
import {
  CompiledWorkflow,
  compileWorkflow,
  decide,
  definitionSha256,
  validateDefinition,
  validatePattern,
} from '@workgate/workflow';
import type { PatternValidation, Problem, StoredPattern } from '@workgate/workflow';
import { parsedDefinition } from './parsed';

/**
 * The work on definitions sent by a caller that the definition thread does (definition-thread.ts):
 * parsing and validating a definition, and re-deciding recorded requests under a draft. Pure
 * functions of their input; the main thread never runs them (docs/policy.md, "Bounded rules").
 */
export type DefinitionJob =
  | { kind: 'examine'; source: unknown; catalog: string[]; patterns?: StoredPattern[] }
  | { kind: 'examine-pattern'; source: unknown; catalog: string[] }
  | { kind: 'replay'; draft: WorkflowDefinition; versions: WorkflowDefinition[]; requests: ReplayRequest[] };

/** One recorded request, and the version it was decided under. */
export interface ReplayRequest {
  version: number;
  input: Parameters<typeof decide>[1];
}

export type Verdict = Pick<DecisionResult, 'decision' | 'rule' | 'reason'>;

export type Examined = { ok: true; definition: WorkflowDefinition } | { ok: false; problems: Problem[] };

export type JobAnswer =
  | { kind: 'examine'; examined: Examined }
  | { kind: 'examine-pattern'; examined: PatternValidation }
  | { kind: 'replay'; verdicts: Array<{ before: Verdict; after: Verdict }> }
  | { kind: 'refused'; error: WireError };

/** Compiled versions and drafts by content hash: a simulation sends the same ones page after page. */
const compiled = new Map<string, CompiledWorkflow>();
function compiledOnce(definition: WorkflowDefinition): CompiledWorkflow {
  const sha256 = definitionSha256(definition);
  let found = compiled.get(sha256);
  if (!found) {
    if (compiled.size > 64) compiled.clear();
    found = compileWorkflow(definition, sha256);
    compiled.set(sha256, found);
  }
  return found;
}

const verdict = ({ decision, rule, reason }: DecisionResult): Verdict => ({ decision, rule, reason });

export function runJob(job: DefinitionJob): JobAnswer {
  try {
    if (job.kind === 'examine-pattern')
      return {
        kind: job.kind,
        examined: validatePattern(parsedDefinition(job.source), { catalog: new Set(job.catalog) }),
      };
    if (job.kind === 'examine') {
      const patterns = new Map((job.patterns ?? []).map((p) => [`${p.pattern.name}@${p.pattern.version}`, p]));
      const validation = validateDefinition(parsedDefinition(job.source), {
        catalog: new Set(job.catalog),
        pattern: (name, version) => patterns.get(`${name}@${version}`),
      });
      return {
        kind: 'examine',
        examined: validation.ok ? { ok: true, definition: validation.definition } : validation,
      };
    }
    const draft = compiledOnce(job.draft);
    const versions = new Map(job.versions.map((v) => [v.version, compiledOnce(v)]));
    // One verdict pair per request, in their order: the caller matches them up by index.
    const verdicts = job.requests.map(({ version, input }) => {
      const then = versions.get(version);
      if (!then) throw new WorkgateError('internal', `version ${version} was not sent with the requests`);
      return { before: verdict(decide(then, input)), after: verdict(decide(draft, input)) };
    });
    return { kind: 'replay', verdicts };
  } catch (error) {
    if (error instanceof WorkgateError) return { kind: 'refused', error: error.toWire() };
    throw error;
  }
}

/**
 * Whether a message from the thread is an answer (its objects may come from another realm, as in
 * jest's: not tested as plain objects).
 */
export const isJobAnswer = (m: unknown): m is JobAnswer =>
  typeof m === 'object' &&
  m !== null &&
  'kind' in m &&
  ['examine', 'examine-pattern', 'replay', 'refused'].includes(String(m.kind));

import { hash } from 'node:crypto';
import { canonicalize, duplicateKeyProblem, MAX_DEPTH, objectMembers, WorkgateError } from '@workgate/contracts';
import { parseDocument } from 'yaml';
import { CelProgram, compileCel } from '../conditions/cel';
import { Overlay, PolicyRef, Rule, SystemBoundary, WorkflowDefinition } from './definition';
import { parseDuration } from './duration';
import { deepestNesting } from './text-scan';

/** sha256 (hex) of the RFC 8785 canonical JSON of a definition: the same content always has the same hash. */
export function definitionSha256(definition: WorkflowDefinition): string {
  return hash('sha256', canonicalize(definition));
}

export interface CompiledRule extends Rule {
  program: CelProgram;
  /** The field paths its condition reads (to name a missing fact). */
  paths: string[];
}

export interface CompiledOverlay extends Overlay {
  program: CelProgram;
}

/** A definition version ready to decide: conditions planned once, lookups indexed. */
export interface CompiledWorkflow {
  definition: WorkflowDefinition;
  policy: PolicyRef;
  systems: Map<string, SystemBoundary & { writeSet: Set<string> }>;
  rules: CompiledRule[];
  overlays: CompiledOverlay[];
  stallAfterMs: number;
  /** How long an approval request waits before it expires. */
  approvalTimeoutMs: number;
  /** When a break-glass's post-review is due, from its use (absent: break-glass is not allowed). */
  postReviewDueMs?: number;
}

export const DEFAULT_STALL_AFTER = 'PT24H';
export const DEFAULT_APPROVAL_TIMEOUT = 'PT24H';

/** Compiles a validated definition. */
export function compileWorkflow(
  definition: WorkflowDefinition,
  sha256 = definitionSha256(definition),
): CompiledWorkflow {
  return {
    definition,
    policy: {
      jobType: definition.jobType,
      version: definition.version,
      sha256,
      // Decisions and receipts name the pattern the version extends (docs/patterns.md).
      ...(definition.pattern
        ? {
            pattern: {
              name: definition.pattern.name,
              version: definition.pattern.version,
              sha256: definition.pattern.sha256,
            },
          }
        : {}),
    },
    systems: new Map(definition.systems.map((s) => [s.name, { ...s, writeSet: new Set(s.write) }])),
    rules: (definition.rules ?? []).map((r) => {
      const { program, analysis } = compileCel(r.when);
      return { ...r, program, paths: analysis.paths };
    }),
    overlays: (definition.overlays ?? []).map((o) => ({ ...o, program: compileCel(o.when).program })),
    stallAfterMs: parseDuration(definition.stallAfter ?? DEFAULT_STALL_AFTER)!,
    approvalTimeoutMs: parseDuration(definition.approval?.timeout ?? DEFAULT_APPROVAL_TIMEOUT)!,
    ...(definition.breakGlass?.allowed && definition.breakGlass.postReviewDue
      ? { postReviewDueMs: parseDuration(definition.breakGlass.postReviewDue) }
      : {}),
  };
}

/** The parser's own words for a text nested deeper than it can follow. */
const TOO_DEEP = /Maximum call stack size exceeded|too much recursion/i;

const tooDeep = (line?: number) =>
  new WorkgateError('invalid_definition', `the definition is nested deeper than ${MAX_DEPTH} levels`, [
    { path: '', message: `is nested deeper than ${MAX_DEPTH} levels`, ...(line === undefined ? {} : { line }) },
  ]);

/**
 * YAML text as a value. The parser's warnings (an unresolved `!!js/function` tag) quote the
 * request's text: they are answered as problems naming the line and the warning's code, and never
 * printed (`logLevel: 'error'` keeps the yaml package off stderr).
 */
function parseYamlText(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) throw doc.errors[0];
  if (doc.warnings.length > 0) {
    const n = doc.warnings.length;
    throw new WorkgateError(
      'invalid_definition',
      `the definition has ${n} YAML warning${n === 1 ? '' : 's'}`,
      doc.warnings.map((w) => {
        const at = w.linePos?.[0];
        return {
          path: '',
          message: `${at ? `line ${at.line}, column ${at.col}: ` : ''}${w.code.toLowerCase().replace(/_/g, ' ')}`,
        };
      }),
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * Parses definition text: JSON when it looks like JSON, YAML otherwise. Throws with a readable
 * message; a key twice in one mapping is refused in both (YAML's `uniqueKeys`, the JSON text's
 * scan). A text nested deeper than MAX_DEPTH is `invalid_definition` naming the depth limit and the
 * line, found by a scan of the text before any parser sees it (`deepestNesting`).
 */
export function parseDefinitionText(text: string): unknown {
  const deep = deepestNesting(text, MAX_DEPTH);
  if (deep) throw tooDeep(deep.line);
  const trimmed = text.trimStart();
  try {
    if (!trimmed.startsWith('{')) return parseYamlText(text);
    const value: unknown = JSON.parse(text);
    const duplicate = duplicateKeyProblem(text, objectMembers(value));
    if (duplicate) throw new Error(`${duplicate.path}: ${duplicate.message}`);
    return value;
  } catch (error) {
    if (error instanceof RangeError || TOO_DEEP.test(String((error as Error)?.message))) throw tooDeep();
    throw error;
  }
}

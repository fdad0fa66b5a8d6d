import { randomUUID } from 'node:crypto';
import {
  DerivedWorkflow,
  openPatternChangeApproval,
  PatternChangeApplied,
  PatternChangeFound,
  PatternChangeIdRequest,
  PatternChangeProposedData,
  patternChangeRequested,
  PatternEvents,
  PatternPublishedData,
  PatternSummary,
  PatternVersion,
  PublishPatternOutcome,
  PublishPatternRequest,
  RecordedEvent,
  Subjects,
  eventOf,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { decidePattern, PatternCommand, PatternEvent, patterns, PatternState } from '@workgate/domain';
import { AggregateStore, handle, RpcClient } from '@workgate/messaging';
import { assertDefinitionSize, patternSha256, StoredPattern } from '@workgate/workflow';
import type { PatternDefinition } from '@workgate/contracts';
import { EXAMINE_LIMIT_MS, DefinitionThreads } from './definition-threads';
import { approvalOutcome } from './pattern-changes';
import { PolicyRegistry } from './policy-registry';

interface Published {
  stored: StoredPattern;
  publishedAt: string;
  publishedBy: string;
}

/**
 * Patterns (docs/patterns.md): published on `pattern-<name>`, validated on the definition thread,
 * held in memory by every policy instance (rebuilt from the ledger at start, kept current by the
 * relay) so that a workflow that extends one is merged with it when it is examined.
 */
export class PatternStore {
  private readonly byName = new Map<string, Map<number, Published>>();
  /** Widening versions waiting for their approval, by approval id, with when each was proposed. */
  private readonly waiting = new Map<string, { change: PatternChangeProposedData; at: string }>();
  /** Every pattern change recorded, by its approval id. */
  private readonly changes = new Map<string, PatternChangeFound>();
  private readonly store: AggregateStore<PatternState, PatternCommand, PatternEvent>;

  constructor(
    private readonly rpc: RpcClient,
    private readonly threads: DefinitionThreads,
    private readonly catalog: () => Promise<string[]>,
    private readonly workflows: PolicyRegistry,
    producer: string,
  ) {
    this.store = new AggregateStore(rpc, patterns, undefined, producer);
  }

  /** A recorded pattern event, from the ledger or this instance's own commit; one seen already changes nothing. */
  record(e: RecordedEvent): void {
    const published = eventOf(e, 'pattern', PatternEvents.PatternPublished);
    if (published) this.apply(published.data, published.recordedAt);
    const proposed = eventOf(e, 'pattern', PatternEvents.PatternChangeProposed);
    if (proposed) this.propose(proposed.data, proposed.occurredAt);
    const closed = eventOf(e, 'pattern', PatternEvents.PatternChangeClosed);
    if (closed) this.waiting.delete(closed.data.approvalId);
  }

  private propose(change: PatternChangeProposedData, at: string): void {
    if (this.changes.has(change.approvalId)) return;
    const { changeId, approvalId, name, version } = change;
    this.changes.set(approvalId, { changeId, approvalId, name, version });
    this.waiting.set(change.approvalId, { change, at });
  }

  /** Whether the approval is of a pattern change (`pending`: one still waiting). */
  isChange(approvalId: string, pending = false): boolean {
    return pending ? this.waiting.has(approvalId) : this.changes.has(approvalId);
  }

  /** A change the pattern's stream recorded, by its id, with its approval. */
  change({ name, changeId }: PatternChangeIdRequest): PatternChangeFound {
    const found = [...this.changes.values()].find((c) => c.name === name && c.changeId === changeId);
    if (!found) throw new WorkgateError('not_found', `pattern ${name} has no change ${changeId}`);
    return found;
  }

  private apply(data: PatternPublishedData, at: string): void {
    if (data.approvalId) this.waiting.delete(data.approvalId);
    const versions = this.byName.get(data.name) ?? new Map<number, Published>();
    if (versions.has(data.version)) return;
    versions.set(data.version, {
      stored: { pattern: data.pattern, sha256: data.sha256 },
      publishedAt: at,
      publishedBy: data.publishedBy,
    });
    this.byName.set(data.name, versions);
  }

  /** Every pattern version recorded in the ledger. */
  async load(): Promise<void> {
    let after = 0;
    for (;;) {
      const page = await this.rpc.request(Subjects.ledger.query, {
        types: Object.values(PatternEvents),
        after,
        limit: 1000,
      });
      page.events.forEach((e) => this.record(e));
      if (page.events.length < 1000) break;
      after = page.next;
    }
  }

  /**
   * Validates a pattern on the definition thread and publishes it, or proposes it when it widens the
   * newest version (docs/patterns.md, Changing a pattern); the same content again writes nothing.
   */
  async publish(req: PublishPatternRequest, governed = true): Promise<Written<PublishPatternOutcome>> {
    const pattern = await this.examined(req?.definition);
    const sha256 = patternSha256(pattern);
    const by = req.actor ?? 'unknown';
    const now = new Date().toISOString();
    const command: PatternCommand = {
      type: 'PublishPattern',
      pattern,
      sha256,
      by,
      governed,
      changeId: randomUUID(),
      approvalId: randomUUID(),
      adminApprovers: Array.isArray(req.adminApprovers) ? req.adminApprovers : [],
    };
    const { events, position } = await this.handle(pattern.name, command, by, now);
    const proposed = events.find((e) => e.type === 'PatternChangeProposed');
    if (proposed?.type === 'PatternChangeProposed') {
      const asked = await this.askApproval(proposed.data, now);
      return { answer: patternChangeRequested(proposed.data), position: Math.max(position, asked) };
    }
    const created = events.length > 0;
    if (!created) {
      // Waiting already: its approval may not have been opened (the approvals service did not answer).
      const waiting = [...this.waiting.values()].find((w) => w.change.sha256 === sha256);
      if (waiting)
        return {
          answer: patternChangeRequested(waiting.change),
          position: await this.askApproval(waiting.change, waiting.at),
        };
    }
    return {
      answer: { name: pattern.name, version: pattern.version, sha256, created },
      position: created ? position : 0,
    };
  }

  /** The pattern of a definition, examined on the definition thread, or refused with every problem. */
  private async examined(definition: unknown): Promise<PatternDefinition> {
    assertDefinitionSize(definition);
    const catalog = await this.catalog();
    const answer = await this.threads.run({ kind: 'examine-pattern', source: definition, catalog }, EXAMINE_LIMIT_MS);
    if (answer.kind === 'refused') throw WorkgateError.fromWire(answer.error);
    if (answer.kind !== 'examine-pattern')
      throw new WorkgateError('internal', 'the definition thread answered another job');
    const examined = answer.examined;
    if (!examined.ok) {
      const n = examined.problems.length;
      throw new WorkgateError(
        'invalid_definition',
        `the pattern has ${n} problem${n === 1 ? '' : 's'}`,
        examined.problems,
      );
    }
    return examined.pattern;
  }

  /** Decides a command on `pattern-<name>` and commits it; what was recorded is applied here at once. */
  private async handle(name: string, command: PatternCommand, actor: string, now: string) {
    const committed = await handle(this.store, name, (state, clock) => decidePattern(command, state, clock), {
      actor,
      now,
    });
    for (const e of committed.events) {
      if (e.type === 'PatternPublished') this.apply(e.data, now);
      if (e.type === 'PatternChangeProposed') this.propose(e.data, now);
      if (e.type === 'PatternChangeClosed') this.waiting.delete(e.data.approvalId);
    }
    return committed;
  }

  /** Asks the approvals service to open a recorded change's approval (idempotent); the position of its commit. */
  private async askApproval(change: PatternChangeProposedData, proposedAt: string): Promise<number> {
    return (await this.rpc.request(Subjects.approvals.openChange, openPatternChangeApproval(change, proposedAt)))
      .position;
  }

  /** A recorded change still waiting (or not yet known here): its approval is asked for again (idempotent). */
  async askApprovalOf(e: RecordedEvent): Promise<void> {
    const proposed = eventOf(e, 'pattern', PatternEvents.PatternChangeProposed);
    if (!proposed) return;
    const { approvalId } = proposed.data;
    if (this.isChange(approvalId) && !this.isChange(approvalId, true)) return;
    await this.askApproval(proposed.data, proposed.occurredAt);
  }

  /** A pattern-change approval was decided, withdrawn or expired: publishes or closes its change. */
  async settle(approvalId: string): Promise<Written<PatternChangeApplied>> {
    const { change, outcome, by } = await approvalOutcome(this.rpc, approvalId);
    const { changeId, name, version } = change;
    if (!outcome) return { answer: { changeId, name, version, status: 'requested' }, position: 0 };
    const command: PatternCommand = { type: 'ClosePatternChange', approvalId, outcome, ...(by ? { by } : {}) };
    const { events, position } = await this.handle(name, command, by ?? 'timer', new Date().toISOString());
    const e = events[0];
    const status =
      e?.type === 'PatternPublished'
        ? 'published'
        : e?.type === 'PatternChangeClosed'
          ? e.data.outcome
          : outcome !== 'approved'
            ? outcome
            : this.lookup(name, version)?.sha256 === change.sha256
              ? 'published'
              : 'superseded';
    return { answer: { changeId, name, version, status }, position };
  }

  /** The published pattern of that name and version. */
  lookup(name: string, version: number): StoredPattern | undefined {
    return this.byName.get(name)?.get(version)?.stored;
  }

  /** Every pattern version: what the definition thread merges a workflow with. */
  all(): StoredPattern[] {
    return [...this.byName.values()].flatMap((versions) => [...versions.values()].map((p) => p.stored));
  }

  private newest(name: string): number {
    return Math.max(0, ...(this.byName.get(name)?.keys() ?? []));
  }

  /** A version of a pattern (default: its newest), or `not_found`. */
  get(name: string, version?: number): PatternVersion {
    const found = this.byName.get(name)?.get(version ?? this.newest(name));
    if (!found)
      throw new WorkgateError(
        'not_found',
        version === undefined ? `no pattern ${name} is published` : `pattern ${name} has no version ${version}`,
      );
    const { pattern, sha256 } = found.stored;
    return { name, version: pattern.version, sha256, publishedAt: found.publishedAt, pattern };
  }

  list(): PatternSummary[] {
    return [...this.byName.keys()].sort().map((name) => {
      const versions = [...this.byName.get(name)!.entries()].sort(([a], [b]) => a - b);
      const { pattern } = versions[versions.length - 1][1].stored;
      return {
        name,
        title: pattern.title,
        owner: pattern.owner,
        currentVersion: pattern.version,
        versions: versions.map(([version, p]) => ({ version, sha256: p.stored.sha256, publishedAt: p.publishedAt })),
      };
    });
  }

  /** The workflows whose current version extends the pattern, and whether each is behind its newest version. */
  derived(name: string): DerivedWorkflow[] {
    this.get(name);
    const newest = this.newest(name);
    return this.workflows.list().flatMap(({ jobType, currentVersion }) => {
      const ref = this.workflows.get(jobType)?.definition.pattern;
      if (ref?.name !== name) return [];
      return [{ jobType, version: currentVersion, patternVersion: ref.version, behind: ref.version < newest }];
    });
  }
}

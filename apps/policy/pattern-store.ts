import {
  DerivedWorkflow,
  PatternEvents,
  PatternPublishedData,
  PatternSummary,
  PatternVersion,
  PublishPatternRequest,
  PublishPatternResult,
  RecordedEvent,
  Subjects,
  eventOf,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { decidePattern, PatternCommand, PatternEvent, patterns, PatternState } from '@workgate/domain';
import { AggregateStore, handle, RpcClient } from '@workgate/messaging';
import { assertDefinitionSize, patternSha256, StoredPattern } from '@workgate/workflow';
import { EXAMINE_LIMIT_MS, DefinitionThreads } from './definition-threads';
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

  /** A recorded `PatternPublished`, from the ledger or this instance's own commit; one seen already changes nothing. */
  record(e: RecordedEvent): void {
    const published = eventOf(e, 'pattern', PatternEvents.PatternPublished);
    if (published) this.apply(published.data, published.recordedAt);
  }

  private apply(data: PatternPublishedData, at: string): void {
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
        types: [PatternEvents.PatternPublished],
        after,
        limit: 1000,
      });
      page.events.forEach((e) => this.record(e));
      if (page.events.length < 1000) break;
      after = page.next;
    }
  }

  /** Validates a pattern on the definition thread and publishes it; the same content again writes nothing. */
  async publish(req: PublishPatternRequest): Promise<Written<PublishPatternResult>> {
    assertDefinitionSize(req?.definition);
    const catalog = await this.catalog();
    const answer = await this.threads.run(
      { kind: 'examine-pattern', source: req.definition, catalog },
      EXAMINE_LIMIT_MS,
    );
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
    const { pattern } = examined;
    const sha256 = patternSha256(pattern);
    const by = req.actor ?? 'unknown';
    const now = new Date().toISOString();
    // A widening version is recorded as such only once its approval can be asked for (docs/patterns.md).
    const command: PatternCommand = { type: 'PublishPattern', pattern, sha256, by, governed: false };
    const { events, position } = await handle(
      this.store,
      pattern.name,
      (state, clock) => decidePattern(command, state, clock),
      {
        actor: by,
        now,
      },
    );
    for (const e of events) if (e.type === 'PatternPublished') this.apply(e.data, now);
    const created = events.length > 0;
    return {
      answer: { name: pattern.name, version: pattern.version, sha256, created },
      position: created ? position : 0,
    };
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

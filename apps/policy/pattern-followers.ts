import { Injectable } from '@nestjs/common';
import { dataOf, ledgerEventSubject, RecordedEvent } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { LedgerConsumers, LedgerReaction, LedgerReactions, Outcome } from '@workgate/messaging';
import { ownPartsOn } from '@workgate/workflow';
import { PolicyService } from './policy.service';
import { WorkflowDrafts } from './workflow-drafts';

/** Who saves the drafts a new pattern version brings (docs/patterns.md, Changing a pattern). */
export const PATTERN_DRAFTER = 'workgate-policy';

/** The id of the draft that moves a workflow onto a pattern version: the same on every instance and every retry. */
export const patternDraftId = (jobType: string, patternSha256: string): string =>
  deterministicUuid('PatternDraft', jobType, patternSha256);

/**
 * Once a pattern version is published, every workflow whose version in force extends an older
 * version of it gets a draft on the new one for its owner (docs/patterns.md, Changing a pattern):
 * its own parts, `extends: <name>@<new>` and the next version, saved through the drafts path with
 * its problems (a draft that conflicts with the new pattern is kept, its problems listed). The
 * draft id comes from the job type and the pattern's sha256, and saving a draft that exists
 * records nothing: a redelivery, a crash or a second policy instance makes no second draft.
 */
@Injectable()
export class PatternFollowers extends LedgerReactions {
  constructor(
    consumers: LedgerConsumers,
    private readonly policy: PolicyService,
    private readonly drafts: WorkflowDrafts,
  ) {
    super(consumers, 'policy');
  }

  protected reactions(): LedgerReaction[] {
    return [
      {
        durable: 'policy-pattern-followers',
        subject: ledgerEventSubject('pattern', 'PatternPublished'),
        react: (e) => this.follow(e),
      },
    ];
  }

  private async follow(e: RecordedEvent): Promise<Outcome> {
    const { name, version, sha256 } = dataOf(e, 'pattern', 'PatternPublished');
    // The drafts are examined against the new version: it is known here before they are.
    this.policy.patterns.record(e);
    for (const { jobType } of this.policy.patterns.derived(name)) {
      const definition = this.policy.registry.get(jobType)?.definition;
      const ref = definition?.pattern;
      if (!definition || !ref || ref.version >= version) continue;
      const merged = this.policy.patterns.lookup(ref.name, ref.version);
      if (!merged) continue;
      const source = ownPartsOn({ ...definition }, merged.pattern, { name, version });
      await this.drafts.saveOnce({
        jobType,
        draftId: patternDraftId(jobType, sha256),
        definition: source,
        by: PATTERN_DRAFTER,
      });
    }
    return { kind: 'ack' };
  }
}

import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InclusionProofs, ProveAllRequest, Subjects, WorkgateError } from '@workgate/contracts';
import { inclusionProofs } from '@workgate/event-store';
import { Serves } from '@workgate/messaging';
import { Checkpointer } from './checkpointer';
import { LedgerStore } from './ledger-store';

/** Receipts are asked for together (a work order's proof package): at most this many proofs in one answer. */
const MAX_PROOFS = 10_000;

/** Inclusion proofs of many events against one checkpoint: a proof package's receipts all lead to the same signed root. */
@Controller()
export class ProofsController {
  constructor(
    private readonly store: LedgerStore,
    private readonly checkpoints: Checkpointer,
  ) {}

  /** Against the newest checkpoint (signed now if it does not cover them yet), in the order asked. */
  @Serves(Subjects.ledger.proveAll)
  async proveAll(@Payload() req: ProveAllRequest): Promise<InclusionProofs> {
    const positions = req?.positions;
    if (
      !Array.isArray(positions) ||
      positions.length > MAX_PROOFS ||
      positions.some((p) => !Number.isSafeInteger(p) || p < 1)
    )
      throw new WorkgateError(
        'validation_failed',
        `positions must be up to ${MAX_PROOFS} ledger positions (each 1 or more)`,
      );
    const tree = await this.checkpoints.latest(Math.max(...positions));
    const beyond = positions.find((p) => p > tree.size);
    if (beyond !== undefined)
      throw new WorkgateError('not_found', `position ${beyond} is not in the newest checkpoint (${tree.size} events)`);
    const proofs = await inclusionProofs(
      this.store.pool,
      positions.map((p) => p - 1),
      tree.size,
    );
    return proofs.map((inclusion, i) => ({
      leafIndex: positions[i] - 1,
      treeSize: tree.size,
      inclusion: inclusion.map((h) => h.toString('base64')),
      checkpoint: tree.note,
    }));
  }
}

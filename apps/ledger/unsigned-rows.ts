import { Logger } from '@nestjs/common';
import { gauge } from '@workgate/messaging';

const unsignedRows = gauge({
  name: 'workgate_ledger_unsigned_rows',
  help: 'Rows past the signed frontier: in the ledger but covered by no valid writer commit signature, so no reader serves, folds or relays them (0 when none)',
});

/**
 * Reports rows past the signed frontier (written around the writer): the problem /health shows,
 * the metric, and an error log naming the positions, once per change.
 */
export class UnsignedRows {
  private readonly logger = new Logger('ledger');
  private said?: string;

  /** The problem of a ledger whose last row is at `head` and whose signed frontier is `signed`, or undefined. */
  check(head: number, signed: number): string | undefined {
    unsignedRows.set(Math.max(0, head - signed));
    const problem =
      head > signed
        ? `position ${signed + 1}${head > signed + 1 ? ` (to ${head})` : ''} is covered by no writer signature: ` +
          'no reader serves, folds or relays it; remove it (docs/ledger.md, "Readers act only on signed rows")'
        : undefined;
    if (problem !== this.said) {
      if (problem) this.logger.error(`the ledger holds rows no writer signed: ${problem}`);
      else if (this.said) this.logger.log('the ledger holds no row past the signed frontier any more');
      this.said = problem;
    }
    return problem;
  }
}

import { WorkgateError } from '@workgate/contracts';
import { isOutage } from './pull-consumer';

/**
 * How long a service waits at its start for the services it needs: they start in any order, and
 * the ledger answers appends only once its writer is admitted (after it has verified the tail of
 * the ledger past its last checkpoint).
 */
export const STARTUP_PATIENCE_MS = 60_000;

export interface Patience {
  /** How long to keep trying; STARTUP_PATIENCE_MS unless given. */
  patienceMs?: number;
  /** The first pause between tries (250 ms unless given); each next pause doubles, up to 5 s. */
  firstPauseMs?: number;
  /** Another error than an outage that is worth waiting out. */
  alsoWaitFor?: (error: WorkgateError) => boolean;
  /** Where to say what it is waiting for, at each try that failed. */
  log?: (message: string) => void;
}

const LONGEST_PAUSE_MS = 5000;

/**
 * Does `work`, again after an outage (no service answers yet, or not in time) with a growing pause,
 * until it succeeds or its patience is spent; then, or at any other error, throws that error.
 */
export async function patiently<T>(what: string, work: () => Promise<T>, options: Patience = {}): Promise<T> {
  const patienceMs = options.patienceMs ?? STARTUP_PATIENCE_MS;
  const until = Date.now() + patienceMs;
  for (let pause = options.firstPauseMs ?? 250; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    try {
      return await work();
    } catch (error) {
      const worthWaiting = isOutage(error) || (options.alsoWaitFor?.(error as WorkgateError) ?? false);
      const left = until - Date.now();
      if (!worthWaiting || left <= 0) throw error;
      options.log?.(
        `waiting to ${what}: ${(error as Error).message}; trying again in ${(pause / 1000).toFixed(1)} s (for ${Math.ceil(left / 1000)} s more)`,
      );
      await new Promise((r) => setTimeout(r, Math.min(pause, left)));
    }
  }
}

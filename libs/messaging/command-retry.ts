import { WorkgateError } from '@workgate/contracts';

/** How many times a command is decided at most while other writers keep changing its stream. */
export const MAX_ATTEMPTS = 4;

/**
 * The retry of every command handler (aggregates, work orders, workflows): runs `attempt` (load,
 * decide, commit at the version it loaded) and, when the commit meets a concurrent change of the
 * stream (`version_conflict`), runs it again, MAX_ATTEMPTS times in all. `beforeRetry` forgets
 * what the attempt loaded (a cached state, a registry) and may throw the conflict on when deciding
 * again cannot help. Any other error is thrown at once.
 */
export async function retryOnConflict<T>(
  attempt: () => Promise<T>,
  beforeRetry?: (conflict: WorkgateError) => void | Promise<void>,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConflict(error) || n >= MAX_ATTEMPTS) throw error;
      await beforeRetry?.(error);
    }
  }
}

/** A version conflict, as the ledger answers it (over NATS or from a thread: by its code, whatever its class). */
const isConflict = (error: unknown): error is WorkgateError =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === 'version_conflict';

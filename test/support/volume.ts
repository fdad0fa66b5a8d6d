/**
 * How much traffic the volume specs send. `npm test` runs them at a size that still crosses every
 * boundary they exist for (a window, a batch, a race that shows within a few tries); the faults
 * tier (`npm run test:faults`, run by CI) sets WORKGATE_TEST_VOLUME=full and runs the same files at
 * full size (jest.faults.config.js, VOLUME_SPECS).
 */
export const FULL_VOLUME = process.env.WORKGATE_TEST_VOLUME === 'full';

/** `small` in `npm test`, `full` in the faults tier. */
export const volume = (small: number, full: number): number => (FULL_VOLUME ? full : small);

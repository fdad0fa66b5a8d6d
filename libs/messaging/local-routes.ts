import { Logger } from '@nestjs/common';
import { isWorkgateError, WorkgateError } from '@workgate/contracts';

type LocalHandler = (payload: unknown) => Promise<unknown>;

const routes = new Map<string, LocalHandler>();
const logger = new Logger('local-routes');

/**
 * Request/reply handlers served by THIS process. When every service runs in one process
 * (`npm start`), a request to one of them is answered in-process instead of travelling to
 * nats-server and back into the same process: the same handler, the same errors, no encoding.
 * Each service still subscribes on NATS (queue group = service), so other processes reach it.
 */
export const LocalRoutes = {
  register(subject: string, handler: LocalHandler): void {
    routes.set(subject, async (payload) => {
      try {
        return await handler(payload);
      } catch (error) {
        if (isWorkgateError(error)) throw error;
        logger.error(`${subject} failed: ${(error as Error)?.stack ?? String(error)}`);
        throw new WorkgateError('internal', 'internal error');
      }
    });
  },
  unregister(subject: string, handler?: LocalHandler): void {
    if (!handler || routes.get(subject) === handler) routes.delete(subject);
  },
  get(subject: string): LocalHandler | undefined {
    return routes.get(subject);
  },
  /** Off switch (WORKGATE_LOCAL_ROUTES=off, applied when services start): every request goes over NATS. */
  enabled: true,
};

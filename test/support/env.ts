/** Where the tests find the real Postgres and NATS (the same defaults as the product). */
export const TEST_PG_URL = process.env.WORKGATE_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
export const TEST_NATS_URL = process.env.WORKGATE_TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** This process's environment without its unset names, as a child process's `env` option takes it. */
export const processEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));

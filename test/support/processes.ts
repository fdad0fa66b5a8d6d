import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { NatsConnection } from 'nats';
import { inboxSubject, Streams } from '@workgate/contracts';
import { messageOf } from './guards';

const ROOT = join(__dirname, '..', '..');

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs a built entry point (`npm test` builds dist/ first) as its own process. */
export function spawnBuilt(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [join(ROOT, 'dist', entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return {
    child,
    output: () => out,
    kill: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${messageOf(last)}` : ''}`);
}

/** `npm start` (dist/cli/start.js) as its own process, resolved once it says it is ready. */
export async function startBuiltWorkgate(env: Record<string, string>): Promise<ServiceProcess> {
  const p = spawnBuilt('cli/start.js', env);
  await eventually(
    async () => {
      if (p.child.exitCode !== null) throw new Error(`workgate exited with ${p.child.exitCode}:\n${p.output()}`);
      // A line on a terminal, a JSON log record elsewhere (as here: the output is a pipe).
      return /workgate: ready|"message":"ready/.test(p.output());
    },
    60_000,
    'workgate to start',
  );
  return p;
}

/** The first message in `recipient`'s inbox on JetStream, as its text, once one has arrived (within 10 s). */
export function inboxDelivery(nc: NatsConnection, recipient: string): Promise<string> {
  return eventually(
    async () => {
      const consumer = await nc
        .jetstream()
        .consumers.get(Streams.inbox.name, { filterSubjects: inboxSubject(recipient) });
      const m = await consumer.next({ expires: 1000 });
      return m ? new TextDecoder().decode(m.data) : undefined;
    },
    10_000,
    'the inbox delivery',
  );
}

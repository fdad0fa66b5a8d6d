import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../cli/infra';
import { eventually, ServiceProcess, spawnBuilt } from '../../support/processes';
import { SignInWorld, startSignInWorld } from '../../support/sign-in';
import { startHaproxy } from './haproxy';

/** A gateway of the fleet: its own process on its own port, named as HAProxy's `X-Served-By` names it. */
export interface FleetGateway {
  name: string;
  port: number;
  url: string;
  process: ServiceProcess;
}

export interface SignInFleet {
  /** The sign-in world: every service in this process (its own gateway at `w.t.url`, outside HAProxy), the test provider. */
  w: SignInWorld;
  /** WORKGATE_PUBLIC_URL: HAProxy, round robin over `gateways`. */
  url: string;
  gateways: FleetGateway[];
  /** The gateways that answered `count` requests for /health in a row through HAProxy, by name, in order. */
  servedBy(count: number): Promise<string[]>;
  /** SIGKILLs a gateway, then waits until HAProxy sends every request to the others. */
  kill(gateway: FleetGateway): Promise<void>;
  /** Starts a killed gateway again on its port, and waits until HAProxy sends it requests again. */
  restart(gateway: FleetGateway): Promise<void>;
  close(): Promise<void>;
}

/**
 * The sign-in world (test/support/sign-in.ts) as a fleet: two gateways of their own
 * (`node dist/apps/gateway/main.js`) on the world's database, NATS, principals file and OpenID
 * Connect settings, behind HAProxy at the world's WORKGATE_PUBLIC_URL (the address the provider
 * redirects to); the world's services answer them over NATS.
 */
export async function startSignInFleet(): Promise<SignInFleet> {
  const w = await startSignInWorld({ publicUrl: true });
  const dir = mkdtempSync(join(tmpdir(), 'wg-sign-in-fleet-'));
  const env: Record<string, string> = { LOG_LEVEL: 'warn' };
  for (const [key, value] of Object.entries(w.t.config))
    if (value !== undefined && key !== 'LOG_LEVEL') env[key] = String(value);
  const spawnGateway = (port: number) => spawnBuilt('apps/gateway/main.js', { ...env, PORT: String(port) });
  const listening = (g: FleetGateway) =>
    eventually(
      async () => {
        if (g.process.child.exitCode !== null) throw new Error(`${g.name} exited:\n${g.process.output()}`);
        return fetch(`${g.url}/health`).then(() => true);
      },
      60_000,
      `${g.name} to listen`,
    );
  const gateways: FleetGateway[] = [];
  for (const name of ['gateway1', 'gateway2']) {
    const port = await freePort();
    gateways.push({ name, port, url: `http://127.0.0.1:${port}`, process: spawnGateway(port) });
  }
  const lb = await (async () => {
    try {
      for (const g of gateways) await listening(g);
      return await startHaproxy(
        dir,
        gateways.map((g) => g.port),
        Number(new URL(w.publicUrl!).port),
      );
    } catch (error) {
      for (const g of gateways) await g.process.kill('SIGKILL');
      await w.close();
      throw error;
    }
  })();
  const servedBy = async (count: number) => {
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${lb.url}/health`);
      names.push(res.headers.get('x-served-by') ?? `none (${res.status})`);
    }
    return names;
  };
  /** Until `count` requests in a row are served by exactly the gateways `names`. */
  const rotation = (names: string[], what: string) =>
    eventually(
      async () => {
        const seen = await servedBy(6);
        return [...new Set(seen)].sort().join() === [...names].sort().join();
      },
      30_000,
      what,
    );
  await rotation(
    gateways.map((g) => g.name),
    'HAProxy to send requests to both gateways',
  );
  return {
    w,
    url: lb.url,
    gateways,
    servedBy,
    kill: async (gateway) => {
      await gateway.process.kill('SIGKILL');
      await rotation(
        gateways.filter((g) => g !== gateway).map((g) => g.name),
        `HAProxy to take ${gateway.name} out`,
      );
    },
    restart: async (gateway) => {
      gateway.process = spawnGateway(gateway.port);
      await listening(gateway);
      await rotation(
        gateways.map((g) => g.name),
        `HAProxy to send ${gateway.name} requests again`,
      );
    },
    close: async () => {
      await lb.stop();
      for (const g of gateways) await g.process.kill('SIGTERM');
      await w.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

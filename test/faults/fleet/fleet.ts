import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, NatsConnection } from 'nats';
import { ServiceName, Subjects } from '@workgate/contracts';
import { ensureDatabase, migrate } from '@workgate/event-store';
import { RpcClient } from '@workgate/messaging';
import { answers, freePort } from '../../../cli/infra';
import { writePrincipals } from '../../support/principals';
import { eventually, ServiceProcess, spawnBuilt } from '../../support/processes';
import { startHaproxy } from './haproxy';
import { NatsCluster } from './nats-cluster';
import { PostgresHa } from './postgres-ha';

const ROOT = join(__dirname, '..', '..', '..');

/** How many instances of each service the fleet runs, in start order (the ledger first, the catalog before policy). */
const INSTANCES: Array<[ServiceName, number]> = [
  ['ledger', 2],
  ['exceptions', 2],
  ['policy', 2],
  ['approvals', 2],
  ['intake', 2],
  ['gateway', 2],
];

export interface FleetProcess {
  service: ServiceName;
  index: number;
  process: ServiceProcess;
  /** The gateway's port (gateways only). */
  port?: number;
}

/**
 * workgate as a fleet on loopback: every service twice (processes of their own), a 3-node NATS
 * cluster with every stream at 3 replicas, Postgres as a primary and a standby under
 * pg_auto_failover (workgate given both hosts), and HAProxy in front of the two gateways. One
 * signing key for both ledgers, so whichever writes signs checkpoints one verifier key checks.
 */
export class Fleet {
  readonly processes: FleetProcess[] = [];
  private constructor(
    readonly dir: string,
    readonly pg: PostgresHa,
    readonly nats: NatsCluster,
    readonly env: Record<string, string>,
    readonly keys: Record<string, string>,
    readonly nc: NatsConnection,
    readonly rpc: RpcClient,
    readonly lb: { url: string; stop(): Promise<void> },
  ) {}

  static async start(dir: string, principals: Parameters<typeof writePrincipals>[0]): Promise<Fleet> {
    mkdirSync(dir, { recursive: true });
    // Postgres runs as its own user: it must reach its directories under this one.
    chmodSync(dir, 0o755);
    const pg = await PostgresHa.start(join(dir, 'postgres'));
    const nats = await NatsCluster.start(join(dir, 'nats')).catch(async (error: unknown) => {
      await pg.stop();
      throw error;
    });
    const { path, keys } = writePrincipals(principals);
    const env: Record<string, string> = {
      DATABASE_URL: pg.url('workgate'),
      NATS_URL: nats.urls().join(','),
      WORKGATE_STREAM_REPLICAS: '3',
      WORKGATE_PRINCIPALS: path,
      WORKGATE_DATA_DIR: join(dir, 'data'),
      WORKGATE_WORKFLOWS_DIR: join(ROOT, 'workflows'),
      WORKGATE_EXCEPTION_CODES: join(ROOT, 'config', 'exception-codes.yaml'),
      WORKGATE_SIGNING_KEY: generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      WORKGATE_RATE_LIMIT_PER_MINUTE: '100000',
    };
    await ensureDatabase(env.DATABASE_URL);
    await migrate(env.DATABASE_URL);
    const nc = await connect({ servers: nats.urls(), maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    const rpc = new RpcClient(nc, 2000, false);
    const gatewayPorts = [await freePort(), await freePort()];
    const fleet = new Fleet(dir, pg, nats, env, keys, nc, rpc, { url: '', stop: async () => undefined });
    try {
      for (const [service, count] of INSTANCES)
        for (let index = 0; index < count; index++) {
          const port = service === 'gateway' ? gatewayPorts[index] : undefined;
          fleet.processes.push({ service, index, process: fleet.spawn(service, index, port), port });
          await fleet.ready(service, index);
        }
      return Object.assign(fleet, { lb: await startHaproxy(dir, gatewayPorts) });
    } catch (error) {
      await fleet.stop();
      throw error;
    }
  }

  get url(): string {
    return this.lb.url;
  }

  instance(service: ServiceName, index: number): FleetProcess {
    const found = this.processes.find((p) => p.service === service && p.index === index);
    if (!found) throw new Error(`the fleet has no ${service} ${index}`);
    return found;
  }

  /** The ledger instance that holds the writer's lease now (the health subject answers from either instance: asked until the writer does). */
  activeWriter(): Promise<FleetProcess> {
    return eventually(
      async () => {
        const health = await this.rpc.request(Subjects.health('ledger'), {}, { timeoutMs: 1000 });
        if (health.details?.writer !== 'active') return undefined;
        return this.processes.find(
          // Its start line names its instance (other processes' logs may name it too).
          (p) =>
            p.service === 'ledger' && p.process.output().includes(`(queue group ledger, instance ${health.instance})`),
        );
      },
      30_000,
      'the active ledger writer',
    );
  }

  /** Kills one instance hard (SIGKILL), as a machine that dies; resolves with how to start it again. */
  async killAndRestart(p: FleetProcess): Promise<() => Promise<void>> {
    await p.process.kill('SIGKILL');
    return async () => {
      p.process = this.spawn(p.service, p.index, p.port);
      await this.ready(p.service, p.index);
    };
  }

  /** Kills NATS node `i` (SIGKILL); resolves with how to start it again (it catches up from its store and the others). */
  async killNatsNode(i: number): Promise<() => Promise<void>> {
    const node = this.nats.nodes[i];
    await node.server?.kill('SIGKILL');
    return () => this.nats.startNode(node);
  }

  /** Kills the Postgres primary hard (its keeper and every process of it); resolves with how to have it rejoin as a standby. */
  async killPostgresPrimary(): Promise<() => Promise<void>> {
    const primary = await this.pg.primary();
    this.pg.kill(primary);
    await eventually(
      () => answers({ host: '127.0.0.1', port: primary.port }).then((up) => !up),
      10_000,
      `the killed primary (port ${primary.port}) to stop answering`,
    );
    return () => this.pg.rejoin(primary);
  }

  async stop(): Promise<void> {
    await this.lb.stop();
    for (const p of [...this.processes].reverse()) await p.process.kill('SIGTERM');
    await this.nc.close().catch(() => undefined);
    await this.nats.stop();
    await this.pg.stop();
  }

  /** Starts one instance; what it prints is also appended to `<dir>/<service>-<index>.log`. */
  private spawn(service: ServiceName, index: number, port: number | undefined): ServiceProcess {
    const p = spawnBuilt(`apps/${service}/main.js`, {
      ...this.env,
      LOG_LEVEL: 'info',
      ...(port ? { PORT: String(port) } : {}),
    });
    const log = createWriteStream(join(this.dir, `${service}-${index}.log`), { flags: 'a' });
    p.child.stdout?.pipe(log);
    p.child.stderr?.pipe(log);
    return p;
  }

  private async ready(service: ServiceName, index: number): Promise<void> {
    const p = this.instance(service, index);
    const exited = () => p.process.child.exitCode !== null || p.process.child.signalCode !== null;
    if (service === 'gateway')
      await eventually(
        async () => {
          if (exited()) throw new Error(`gateway ${index} exited:\n${p.process.output()}`);
          return fetch(`http://127.0.0.1:${p.port}/health`).then(() => true);
        },
        60_000,
        `gateway ${index} to listen`,
      );
    else
      await eventually(
        async () => {
          if (exited()) throw new Error(`${service} ${index} exited:\n${p.process.output()}`);
          return /listening|started|ready|standby|writer/i.test(p.process.output());
        },
        60_000,
        `${service} ${index} to start`,
      );
  }
}

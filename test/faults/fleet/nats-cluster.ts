import { join } from 'node:path';
import { connect } from 'nats';
import { freePort, NatsServerProcess, spawnNatsServer } from '../../../cli/infra';
import { eventually } from '../../support/processes';

interface NatsNode {
  name: string;
  port: number;
  clusterPort: number;
  store: string;
  server?: NatsServerProcess;
}

/** A 3-node nats-server cluster with JetStream on loopback ports, its stores and logs under `root`. */
export class NatsCluster {
  private constructor(
    private readonly root: string,
    readonly nodes: NatsNode[],
  ) {}

  static async start(root: string): Promise<NatsCluster> {
    const nodes: NatsNode[] = [];
    for (let i = 1; i <= 3; i++)
      nodes.push({ name: `n${i}`, port: await freePort(), clusterPort: await freePort(), store: join(root, `n${i}`) });
    const cluster = new NatsCluster(root, nodes);
    await Promise.all(nodes.map((n) => cluster.startNode(n)));
    // JetStream in a cluster answers once a meta leader is elected.
    const probe = await connect({ servers: cluster.urls() });
    await eventually(
      async () => (await (await probe.jetstreamManager()).getAccountInfo()) !== undefined,
      60_000,
      'the JetStream meta leader',
    );
    await probe.close();
    return cluster;
  }

  urls(): string[] {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.port}`);
  }

  /** Starts a node (again, after a kill: it catches up from its store and the others). */
  async startNode(n: NatsNode): Promise<void> {
    const routes = this.nodes
      .filter((o) => o !== n)
      .map((o) => `nats://127.0.0.1:${o.clusterPort}`)
      .join(',');
    n.server = await spawnNatsServer('127.0.0.1', n.port, n.store, {
      logFile: join(this.root, `${n.name}.log`),
      extraArgs: [
        '--server_name',
        n.name,
        '--cluster_name',
        'workgate',
        '--cluster',
        `nats://127.0.0.1:${n.clusterPort}`,
        '--routes',
        routes,
      ],
    });
  }

  async stop(): Promise<void> {
    for (const n of this.nodes) await n.server?.kill();
  }
}

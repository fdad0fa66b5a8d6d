import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@workgate/config';
import { borrowNats, ensureStreams, releaseNats, workgateLogger } from '@workgate/messaging';
import { startGateway } from './gateway';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  Logger.overrideLogger(workgateLogger(config.LOG_LEVEL));
  const nc = await borrowNats(config.NATS_URL, 'workgate-gateway');
  await ensureStreams(nc, { replicas: config.WORKGATE_STREAM_REPLICAS, log: (m) => new Logger('gateway').warn(m) });
  const app = await startGateway({ service: 'gateway', instance: randomUUID(), config, nc });
  new Logger('gateway').log(`listening on ${await app.getUrl()}`);
  const shutdown = async () => {
    await app.close();
    await releaseNats(config.NATS_URL);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

void main();

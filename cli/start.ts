import { Logger } from '@nestjs/common';
import { loadConfigOrExit, redactPostgresUrl } from '@workgate/config';
import { ensureDatabase, loadSigningKey, migrate, signerFromKey } from '@workgate/event-store';
import { redactNatsUrl, stopTracing, workgateLogger } from '@workgate/messaging';
import { ensureNats, ensurePostgres, PrivateInstance } from './infra';
import { prepareMcpVariables } from './mcp-variables';
import { startWorkgate } from './workgate';

/** `npm start`: infrastructure if missing, database, migrations, every service in one process. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  Logger.overrideLogger(workgateLogger(config.LOG_LEVEL));
  // What it does, for whoever started it: lines on a terminal, log records (JSON lines) anywhere else.
  const logger = new Logger('workgate');
  const say = process.stdout.isTTY
    ? (m: string) => process.stdout.write(`workgate: ${m}\n`)
    : (m: string) => logger.log(m);
  const started: PrivateInstance[] = [];
  const stopInfra = async () => {
    for (const i of started.reverse()) {
      await i.stop().catch(() => undefined);
      say(`stopped the private ${i.what}`);
    }
  };
  try {
    const nats = await ensureNats(config.NATS_URL, config.WORKGATE_DATA_DIR, say);
    if (nats) started.push(nats);
    const pg = await ensurePostgres(config.DATABASE_URL, config.WORKGATE_DATA_DIR, say);
    if (pg) started.push(pg);
    if (await ensureDatabase(config.DATABASE_URL)) say('created the database');
    const applied = await migrate(config.DATABASE_URL);
    if (applied.length) say(`applied migrations: ${applied.join(', ')}`);
    const mcp = prepareMcpVariables(config.WORKGATE_WORKFLOWS_DIR, config.WORKGATE_DATA_DIR);
    mcp.defaulted.forEach(say);
    for (const warning of mcp.unset) logger.warn(warning);
    const running = await startWorkgate(config, {
      ledgerThread: config.WORKGATE_LEDGER_THREAD !== 'off',
      intakeThread: config.WORKGATE_INTAKE_THREAD === 'on',
    });
    say(`ready
  dashboard  ${running.url}/
  console    ${running.url}/console
  API        ${running.url}/v1
  OpenAPI    ${running.url}/docs
  health     ${running.url}/health
  metrics    ${running.url}/metrics
  checkpoint key  ${signerFromKey(loadSigningKey(config.WORKGATE_SIGNING_KEY, config.WORKGATE_DATA_DIR), config.WORKGATE_LEDGER_ORIGIN).verifierKey}
  NATS       ${redactNatsUrl(config.NATS_URL)}
  Postgres   ${redactPostgresUrl(config.DATABASE_URL)}`);
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      say(`${signal}: draining and stopping`);
      await running.close((what) => say(`stopped ${what}`));
      await stopTracing();
      await stopInfra();
      say('stopped');
      process.exit(0);
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
  } catch (error) {
    process.stderr.write(`workgate: cannot start: ${(error as Error).message}\n`);
    await stopInfra();
    process.exit(1);
  }
}

void main();

import { randomUUID } from 'node:crypto';
import {
  ConsoleLogger,
  DynamicModule,
  Global,
  INestMicroservice,
  Logger,
  LoggerService,
  LogLevel,
  Module,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NatsConnection } from 'nats';
import { ServiceName } from '@workgate/contracts';
import { loadConfigOrExit, WorkgateConfig } from '@workgate/config';
import { ensureStreams } from './jetstream';
import { DeadLetterSink, LedgerConsumers } from './ledger-reaction';
import { LedgerTakeovers } from './ledger-takeovers';
import { LocalRoutes } from './local-routes';
import { startTracing, stopTracing } from './tracing';
import { borrowNats, redactNatsUrl, releaseNats } from './nats-connection';
import { NatsRpcServer } from './nats-rpc.server';
import { NoticeBus } from './notice-bus';
import { PassThroughRpcFilter } from './pass-through.filter';
import { RpcClient } from './rpc-client';

/** What every service is started with: who it is, its configuration and the process's NATS connection. */
export interface ServiceContext {
  service: ServiceName;
  instance: string;
  config: WorkgateConfig;
  nc: NatsConnection;
}

export const SERVICE_CONTEXT = Symbol('SERVICE_CONTEXT');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/**
 * Provides the service context, the configuration, the NATS connection, an RpcClient and a
 * NoticeBus to a service's modules; its ledger requests in flight are sent again when another
 * ledger instance takes over the writer (LedgerTakeovers).
 */
@Global()
@Module({})
export class ServiceCoreModule {
  static forService(ctx: ServiceContext): DynamicModule {
    const rpc = new RpcClient(ctx.nc, ctx.config.WORKGATE_RPC_TIMEOUT_MS);
    const notices = new NoticeBus(ctx.nc);
    return {
      module: ServiceCoreModule,
      providers: [
        { provide: SERVICE_CONTEXT, useValue: ctx },
        { provide: NATS_CONNECTION, useValue: ctx.nc },
        { provide: WorkgateConfig, useValue: ctx.config },
        { provide: RpcClient, useValue: rpc },
        { provide: NoticeBus, useValue: notices },
        { provide: LedgerTakeovers, useFactory: () => new LedgerTakeovers(notices, rpc) },
        DeadLetterSink,
        {
          provide: LedgerConsumers,
          useFactory: (sink: DeadLetterSink) => new LedgerConsumers(ctx.nc, sink),
          inject: [DeadLetterSink],
        },
      ],
      exports: [
        SERVICE_CONTEXT,
        NATS_CONNECTION,
        WorkgateConfig,
        RpcClient,
        NoticeBus,
        DeadLetterSink,
        LedgerConsumers,
      ],
    };
  }
}

export type ServiceModuleFactory = (ctx: ServiceContext) => DynamicModule;

const LEVELS: Record<string, LogLevel[]> = {
  silent: [],
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export function logLevels(level: string): LogLevel[] {
  return LEVELS[level] ?? LEVELS.info;
}

/** Nest's own start-up chatter: shown from `debug` on, so `info` reads as workgate's own story. */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestMicroservice',
  'NestApplication',
]);

/** The names log collectors know (pino's, Bunyan's, OpenTelemetry's) for Nest's levels: `log` is `info`, `verbose` is `trace`. */
const LEVEL_NAMES: Record<LogLevel, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Nest's console logger whose JSON lines name their level as collectors do (`"level":"info"`, never `"log"`). */
class WorkgateConsoleLogger extends ConsoleLogger {
  protected override getJsonLogObject(
    message: unknown,
    options: { context: string; logLevel: LogLevel; writeStreamType?: 'stdout' | 'stderr'; errorStack?: unknown },
  ) {
    const record = super.getJsonLogObject(message, options);
    return { ...record, level: LEVEL_NAMES[options.logLevel] ?? options.logLevel } as typeof record;
  }
}

/** The console logger at LOG_LEVEL, without Nest's start-up lines below `debug`: pretty on a terminal, JSON lines elsewhere. */
export function workgateLogger(level: string, pretty = process.stdout.isTTY === true): LoggerService {
  // On a terminal, coloured lines for people; anywhere else (a file, a pipe, a collector) one JSON object per line, no colour codes.
  const logger = new WorkgateConsoleLogger(
    pretty ? { logLevels: logLevels(level) } : { logLevels: logLevels(level), json: true, colors: false },
  );
  const quiet = !['debug', 'trace'].includes(level);
  const log = logger.log.bind(logger);
  logger.log = (message: unknown, ...rest: unknown[]) => {
    const context = rest[rest.length - 1];
    if (quiet && typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context)) return;
    Reflect.apply(log, logger, [message, ...rest]);
  };
  return logger;
}

/** Starts one service as its own Nest microservice on the given NATS connection. */
export async function startMicroservice(
  factory: ServiceModuleFactory,
  ctx: ServiceContext,
): Promise<INestMicroservice> {
  LocalRoutes.enabled = ctx.config.WORKGATE_LOCAL_ROUTES !== 'off';
  const app = await NestFactory.createMicroservice(factory(ctx), {
    strategy: new NatsRpcServer(ctx.nc, ctx.service),
    logger: workgateLogger(ctx.config.LOG_LEVEL),
  });
  app.useGlobalFilters(new PassThroughRpcFilter());
  await app.listen();
  return app;
}

/** `node dist/apps/<service>/main.js`: one service alone, with its own NATS connection. */
export async function runStandalone(service: ServiceName, factory: ServiceModuleFactory): Promise<void> {
  const config = loadConfigOrExit();
  const logger = new Logger(service);
  Logger.overrideLogger(workgateLogger(config.LOG_LEVEL));
  const nc = await borrowNats(config.NATS_URL, `workgate-${service}`);
  await ensureStreams(nc, { replicas: config.WORKGATE_STREAM_REPLICAS, log: (m) => logger.warn(m) });
  startTracing(`workgate-${service}`);
  const instance = randomUUID();
  const app = await startMicroservice(factory, { service, instance, config, nc });
  logger.log(
    `${service} listening on ${redactNatsUrl(config.NATS_URL)} (queue group ${service}, instance ${instance})`,
  );
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: draining`);
    await app.close();
    await releaseNats(config.NATS_URL);
    await stopTracing();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

import 'reflect-metadata';
import { Body, CanActivate, Controller, ExecutionContext, Get, Injectable, Module, Param, Post } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The HTTP peer of `npm run bench:http`: the framework workgate's gateway is built on (NestJS on
 * Fastify) with the same shape of pipeline (four global guards, two request hooks, a hook on the
 * answer and one on the response, Fastify's JSON parser) and no logic at all: each route answers a
 * fixed JSON. What it serves per second on this machine is the most any gateway built this way
 * can. Started by the benchmark with the port as its argument; says `ready` on stdout once it listens.
 */
@Injectable()
class Pass implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.getType() === 'http';
  }
}

const ANSWER = {
  id: '00000000-0000-4000-8000-000000000000',
  status: 'open',
  steps: [{ id: 'triage', status: 'pending' }],
  nextMove: { owner: 'support-lead', action: 'approve the refund' },
};

@Controller('v1/work-orders')
class FixedController {
  @Get(':id')
  get(@Param('id') id: string) {
    return { ...ANSWER, id };
  }

  @Post(':id/actions')
  act(@Param('id') id: string, @Body() body: Record<string, unknown>) {
    return { decision: 'run', workOrder: id, operation: body.operation };
  }
}

@Module({
  controllers: [FixedController],
  providers: [1, 2, 3, 4].map(() => ({ provide: APP_GUARD, useClass: Pass })),
})
class PeerModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(PeerModule, new FastifyAdapter({ skipMiddie: true }), {
    logger: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (_req, _reply, done) => done());
  fastify.addHook('onRequest', (_req, _reply, done) => done());
  fastify.addHook('preSerialization', (_req, _reply, payload, done) => done(null, payload));
  fastify.addHook('onResponse', (_req, _reply, done) => done());
  await app.listen(Number(process.argv[2]), '127.0.0.1');
  process.stdout.write('ready\n');
}

void main();

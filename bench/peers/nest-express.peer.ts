import 'reflect-metadata';
import { Body, CallHandler, CanActivate, Controller, ExecutionContext, Get, Injectable, Module, NestInterceptor, Param, Post } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { map, Observable } from 'rxjs';

/**
 * The HTTP peer of `npm run bench:http`: the framework workgate's gateway is built on (NestJS on
 * Express) with the same shape of pipeline (two global guards, two global interceptors, a JSON
 * body parser) and no logic at all: each route answers a fixed JSON. What it serves per second on
 * this machine is the most any gateway built this way can. Started by the benchmark with the
 * port as its argument; says `ready` on stdout once it listens.
 */
@Injectable()
class Pass implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.getType() === 'http';
  }
}

@Injectable()
class Same implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value) => value));
  }
}

const ANSWER = { id: '00000000-0000-4000-8000-000000000000', status: 'open', steps: [{ id: 'triage', status: 'pending' }], nextMove: { owner: 'support-lead', action: 'approve the refund' } };

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
  providers: [
    { provide: APP_GUARD, useClass: Pass },
    { provide: APP_GUARD, useClass: Pass },
    { provide: APP_INTERCEPTOR, useClass: Same },
    { provide: APP_INTERCEPTOR, useClass: Same },
  ],
})
class PeerModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(PeerModule, { logger: false });
  await app.listen(Number(process.argv[2]), '127.0.0.1');
  process.stdout.write('ready\n');
}

void main();

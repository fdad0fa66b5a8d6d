import { Controller, Inject, Type } from '@nestjs/common';
import { HealthReply, ServiceName, Subjects } from '@workgate/contracts';
import { Serves } from './nats-rpc.server';
import { SERVICE_CONTEXT, ServiceContext } from './service';

/** A controller answering `workgate.<service>.health`, for services with nothing more to report. */
export function healthController(service: ServiceName): Type<unknown> {
  @Controller()
  class HealthController {
    constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext) {}

    @Serves(Subjects.health(service))
    health(): HealthReply {
      return { service, ok: true, instance: this.ctx.instance };
    }
  }
  Object.defineProperty(HealthController, 'name', {
    value: `${service[0].toUpperCase()}${service.slice(1)}HealthController`,
  });
  return HealthController;
}

import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ExceptionCode, ExceptionView, HealthReply, ResolveExceptionRequest, Subjects, WorkgateError } from '@workgate/contracts';
import { SERVICE_CONTEXT, ServiceContext } from '@workgate/messaging';
import { ExceptionCatalog } from './exception-catalog';
import { exceptionView, ExceptionsStore } from './exceptions.store';

@Controller()
export class ExceptionsController {
  constructor(
    private readonly catalog: ExceptionCatalog,
    private readonly store: ExceptionsStore,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  @MessagePattern(Subjects.exceptions.listCodes)
  listCodes(): ExceptionCode[] {
    return this.catalog.list();
  }

  @MessagePattern(Subjects.exceptions.get)
  async get(@Payload() req: { exceptionId: string }): Promise<ExceptionView> {
    return exceptionView((await this.store.load(checkId(req?.exceptionId))).state);
  }

  @MessagePattern(Subjects.exceptions.resolve)
  async resolve(@Payload() req: ResolveExceptionRequest): Promise<ExceptionView> {
    const id = checkId(req?.exceptionId);
    return exceptionView(await this.store.execute(id, { type: 'ResolveException', by: req.by, resolution: req.resolution, evidence: req.evidence }, req.by));
  }

  @MessagePattern(Subjects.health('exceptions'))
  health(): HealthReply {
    return { service: 'exceptions', ok: true, instance: this.ctx.instance, details: { codes: this.catalog.list().length } };
  }
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new WorkgateError('not_found', 'no exception has that id');
  }
  return id.toLowerCase();
}

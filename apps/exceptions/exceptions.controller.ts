import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ExceptionCode, ExceptionView, HealthReply, requireUuid, ResolveExceptionRequest, Subjects } from '@workgate/contracts';
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
  listCodes(): Promise<ExceptionCode[]> {
    return this.catalog.current();
  }

  @MessagePattern(Subjects.exceptions.defineCode)
  defineCode(@Payload() req: { code: ExceptionCode; by: string }): Promise<ExceptionCode> {
    return this.catalog.define(req?.code, req?.by ?? 'unknown');
  }

  @MessagePattern(Subjects.exceptions.get)
  async get(@Payload() req: { exceptionId: string }): Promise<ExceptionView> {
    return exceptionView((await this.store.load(requireUuid(req?.exceptionId, 'exception'))).state);
  }

  @MessagePattern(Subjects.exceptions.resolve)
  async resolve(@Payload() req: ResolveExceptionRequest): Promise<ExceptionView> {
    const id = requireUuid(req?.exceptionId, 'exception');
    return exceptionView(await this.store.execute(id, { type: 'ResolveException', by: req.by, resolution: req.resolution, evidence: req.evidence }, req.by));
  }

  @MessagePattern(Subjects.exceptions.addRemediation)
  async addRemediation(@Payload() req: { exceptionId: string; taskId: string; by: string; title: string; owner: string; due: string }): Promise<ExceptionView> {
    const id = requireUuid(req?.exceptionId, 'exception');
    return exceptionView(await this.store.execute(id, { type: 'AddRemediation', taskId: req.taskId, title: req.title, owner: req.owner, due: req.due, by: req.by }, req.by));
  }

  @MessagePattern(Subjects.exceptions.closeRemediation)
  async closeRemediation(@Payload() req: { exceptionId: string; taskId: string; by: string; evidence: { kind: string; ref: string } }): Promise<ExceptionView> {
    const id = requireUuid(req?.exceptionId, 'exception');
    return exceptionView(await this.store.execute(id, { type: 'CloseRemediation', taskId: req.taskId, evidence: req.evidence, by: req.by }, req.by));
  }

  @MessagePattern(Subjects.health('exceptions'))
  health(): HealthReply {
    return { service: 'exceptions', ok: true, instance: this.ctx.instance, details: { codes: this.catalog.list().length } };
  }
}

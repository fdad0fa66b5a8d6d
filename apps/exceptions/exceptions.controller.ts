import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AddRemediationRequest,
  CloseRemediationRequest,
  DefineCodeRequest,
  Empty,
  ExceptionCode,
  ExceptionIdRequest,
  ExceptionView,
  HealthReply,
  requireUuid,
  ResolveExceptionRequest,
  SignedIn,
  StartedStreams,
  StartStreamsRequest,
  Subjects,
  Written,
} from '@workgate/contracts';
import { ExceptionCommand, exceptions } from '@workgate/domain';
import { existing, handle, Serves, SERVICE_CONTEXT, ServiceContext } from '@workgate/messaging';
import { ExceptionCatalog } from './exception-catalog';
import { ExceptionStarts, exceptionView, ExceptionsStore } from './exceptions.store';

@Controller()
export class ExceptionsController {
  constructor(
    private readonly catalog: ExceptionCatalog,
    private readonly store: ExceptionsStore,
    private readonly starts: ExceptionStarts,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  /**
   * Starts the exceptions of work-order events intake committed (docs/ledger.md, Who writes which
   * stream): this service alone writes them. Asked again, or after its reaction raised them, they
   * are answered as started and nothing is written.
   */
  @Serves(Subjects.exceptions.start)
  start(@Payload() req: StartStreamsRequest): Promise<StartedStreams> {
    return this.starts.start(req);
  }

  @Serves(Subjects.exceptions.listCodes)
  listCodes(@Payload() _req: Empty): Promise<ExceptionCode[]> {
    return this.catalog.current();
  }

  @Serves(Subjects.exceptions.defineCode)
  defineCode(@Payload() req: DefineCodeRequest): Promise<Written<ExceptionCode>> {
    return this.catalog.define(req?.code, req?.by ?? 'unknown');
  }

  @Serves(Subjects.exceptions.get)
  async get(@Payload() req: ExceptionIdRequest): Promise<ExceptionView> {
    return exceptionView(await this.store.existing(requireUuid(req?.exceptionId, 'exception'), 'exception'));
  }

  @Serves(Subjects.exceptions.resolve)
  resolve(@Payload() req: ResolveExceptionRequest): Promise<Written<ExceptionView>> {
    return this.decide(req, () => ({
      type: 'ResolveException',
      by: req.by,
      resolution: req.resolution,
      evidence: req.evidence,
    }));
  }

  @Serves(Subjects.exceptions.addRemediation)
  addRemediation(@Payload() req: AddRemediationRequest): Promise<Written<ExceptionView>> {
    return this.decide(req, () => {
      const { taskId, title, owner, due, by } = req;
      return { type: 'AddRemediation', taskId, title, owner, due, by };
    });
  }

  @Serves(Subjects.exceptions.closeRemediation)
  closeRemediation(@Payload() req: CloseRemediationRequest): Promise<Written<ExceptionView>> {
    return this.decide(req, () => ({
      type: 'CloseRemediation',
      taskId: req.taskId,
      evidence: req.evidence,
      by: req.by,
    }));
  }

  /** Decides the command on the exception the request names, as its sender; answers with the exception as it then is. */
  private async decide(
    req: { exceptionId: string; by: string; signedIn?: SignedIn },
    command: () => ExceptionCommand,
  ): Promise<Written<ExceptionView>> {
    const id = requireUuid(req?.exceptionId, 'exception');
    const { state, position } = await handle(
      this.store,
      id,
      (state, clock) => exceptions.decide(command(), state, clock),
      { actor: req.by, signedIn: req.signedIn },
    );
    return { answer: exceptionView(existing(state, 'exception')), position };
  }

  @Serves(Subjects.health('exceptions'))
  health(@Payload() _req: Empty): HealthReply {
    return {
      service: 'exceptions',
      ok: true,
      instance: this.ctx.instance,
      details: { codes: this.catalog.list().length },
    };
  }
}

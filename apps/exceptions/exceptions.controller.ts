import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { ExceptionCode, Subjects } from '@workgate/contracts';
import { ExceptionCatalog } from './exception-catalog';

@Controller()
export class ExceptionsController {
  constructor(private readonly catalog: ExceptionCatalog) {}

  @MessagePattern(Subjects.exceptions.listCodes)
  listCodes(): ExceptionCode[] {
    return this.catalog.list();
  }
}

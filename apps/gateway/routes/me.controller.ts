import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '../http';
import { Documented } from '../openapi';

/** Who a key belongs to: what a client shows as "signed in as" and uses as the owner of "my" queues. */
@ApiTags('auth')
@Controller('v1/me')
export class MeController {
  @Get()
  @Documented('The caller', 'Principal', 'The principal the presented API key belongs to, with its roles.')
  me(@CurrentPrincipal() p: Principal): Principal {
    return { id: p.id, roles: p.roles };
  }
}

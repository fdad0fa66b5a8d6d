import { Controller, Delete, Inject, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { WorkgateError, Written } from '@workgate/contracts';
import { Documented } from '../openapi';
import { CONSOLE_SESSIONS, ConsoleSessionRepository, Roles } from '../http';

/** A principal id as the principals file and the `oidc:` mapping make them: 1 to 200 characters, no whitespace. */
const PRINCIPAL_ID = /^\S{1,200}$/;

/**
 * An admin ends a principal's console sessions (docs/sign-in.md, The console): every gateway of
 * the deployment refuses their cookies from the next request on. Not a ledger write: it answers
 * Workgate-Position 0.
 */
@ApiTags('auth')
@Controller('v1/principals')
export class PrincipalSessionsController {
  constructor(@Inject(CONSOLE_SESSIONS) private readonly sessions: ConsoleSessionRepository) {}

  @Delete(':id/sessions')
  @Roles('admin')
  @Documented(
    "End a principal's console sessions",
    'SessionsEnded',
    'Every live console session of the principal ends at once, on every gateway; `ended` says how many there were (0: none). The principal signs in again to get a new one.',
  )
  async revoke(@Param('id') id: string): Promise<Written<{ principal: string; ended: number }>> {
    if (!PRINCIPAL_ID.test(id))
      throw new WorkgateError('not_found', 'no such principal: an id is 1 to 200 characters without whitespace');
    return { answer: { principal: id, ended: await this.sessions.endAll(id) }, position: 0 };
  }
}

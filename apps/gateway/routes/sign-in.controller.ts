import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  answerSignInPage,
  CONSOLE_SIGN_IN,
  ConsoleSessionAnswer,
  ConsoleSignIn,
  Public,
  SignInRedirect,
  wantsPage,
} from '../http';

/**
 * The console's OpenID Connect sign-in as HTTP (docs/sign-in.md, The console), registered only with
 * WORKGATE_OIDC_ISSUER: `/console/sign-in` starts the authorization code flow, `/console/callback`
 * finishes it into an HttpOnly session cookie, `/console/session` tells the console who is signed
 * in and its CSRF token, `/console/sign-out` ends the session (and answers the provider's
 * end-session address, when it has one), `/console/sign-out-everywhere` every session of its
 * principal. The flow itself is the ConsoleSignIn's.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class SignInController {
  constructor(@Inject(CONSOLE_SIGN_IN) private readonly signIn: ConsoleSignIn) {}

  @Get('session')
  session(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<ConsoleSessionAnswer> {
    void res.header('Cache-Control', 'no-store');
    return this.signIn.session(req);
  }

  @Get('sign-in')
  start(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return redirect(req, res, () => this.signIn.start(req));
  }

  @Get('callback')
  callback(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return redirect(req, res, () => this.signIn.finish(req));
  }

  @Post('sign-out')
  @HttpCode(200)
  async signOut(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<{ endSessionUrl?: string }> {
    const { cookies, answer } = await this.signIn.signOut(req);
    void res.header('Set-Cookie', cookies);
    return answer;
  }

  @Post('sign-out-everywhere')
  @HttpCode(200)
  async signOutEverywhere(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<{ ended: number; endSessionUrl?: string }> {
    const { cookies, answer } = await this.signIn.signOutEverywhere(req);
    void res.header('Set-Cookie', cookies);
    return answer;
  }
}

/** A step's redirect; its refusal is a page a person can read when a browser asks for one, else the API's error body. */
async function redirect(req: FastifyRequest, res: FastifyReply, step: () => Promise<SignInRedirect>): Promise<void> {
  try {
    const { location, cookies } = await step();
    void res.header('Set-Cookie', cookies).header('Cache-Control', 'no-store').redirect(location, 302);
  } catch (error) {
    if (!wantsPage(req)) throw error;
    answerSignInPage(res, error);
  }
}

/** Without WORKGATE_OIDC_ISSUER the console still asks, and hears that only the API key signs in. */
@ApiExcludeController()
@Public()
@Controller('console')
export class NoSignInController {
  @Get('session')
  session(@Res({ passthrough: true }) res: FastifyReply): ConsoleSessionAnswer {
    void res.header('Cache-Control', 'no-store');
    return { issuer: null, provider: null, signedIn: false };
  }
}

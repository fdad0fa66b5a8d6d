import { applyDecorators, HttpCode } from '@nestjs/common';
import { SimulateRequest, SimulateResult, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Roles } from '../http';
import { Documented, ReadByPost } from '../openapi';

/** A route that simulates a draft against past requests, for admins and analysts: it only reads, and answers 200. */
export const SimulatesDraft = (description: string) =>
  applyDecorators(
    Roles('admin', 'analyst'),
    HttpCode(200),
    ReadByPost(),
    Documented('Simulate a draft against past requests', 'SimulateResult', description),
  );

/** Asks the policy service for a simulation: replaying a window of recorded requests may take up to a minute. */
export const simulate = (rpc: RpcClient, request: SimulateRequest): Promise<SimulateResult> =>
  rpc.request(Subjects.policy.simulate, request, { timeoutMs: 60_000 });

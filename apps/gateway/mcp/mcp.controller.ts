import { Controller, Delete, Get, Logger, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rememberRecent, Subjects, WorkgateError, WorkOrderAnswer } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, Roles } from '../http';
import { commandMeta, sendCommandInProcess } from '../routes/command';
import { DownstreamServers } from './downstream-servers';
import { ActionVerdict, GatewayBackend, gatewayMcpServer, McpSystem } from './gateway-mcp-server';
import { HeldResults } from './held-results';
import { ToolCallArgumentsRepository } from './tool-call-arguments.repository';
import { JsonMcpEndpoint } from './json-transport';
import { workgateApi } from './workgate-api';
import { workgateMcpServer } from './workgate-mcp-server';

const VERSION = '1';
const uuid = new ParseUUIDPipe({ exceptionFactory: () => new WorkgateError('not_found', 'no such work order') });
const stateless = () =>
  new WorkgateError('method_not_allowed', 'this MCP endpoint is stateless: send each message with POST');

/** The `/v1` API of this gateway, with the caller's key: every tool goes through its checks. */
const apiOf = (req: FastifyRequest) => {
  // The address the request came in on (whatever HOST the gateway listens on).
  const local = req.socket.localAddress ?? '127.0.0.1';
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(local)?.[1];
  const host = v4 ?? (local.includes(':') ? `[${local}]` : local);
  return workgateApi(`http://${host}:${req.socket.localPort}`, String(req.headers.authorization));
};

/** Whether a command's answer is an action's verdict (the answer of RequestAction). */
const isVerdict = (answer: WorkOrderAnswer): answer is Extract<WorkOrderAnswer, ActionVerdict> =>
  'decision' in answer && 'actionId' in answer;

/** The most work-order gateways (one per work order and caller) kept ready between requests. */
const GATEWAYS_KEPT = 1_000;

/**
 * MCP over streamable HTTP, behind the same API-key auth as `/v1` (docs/agents.md, workgate's tools):
 * `POST /mcp`, workgate's own tools; `POST /mcp/work-orders/:id`, the MCP gateway of one work
 * order (the tools of its workflow's MCP systems, every call decided before it is forwarded; a
 * read decided run goes while its decision commits, see gatewayMcpServer).
 */
@ApiExcludeController()
@Controller('mcp')
export class McpController {
  private readonly logger = new Logger('mcp-gateway');
  /** Each work order's MCP systems, by id (a work order keeps its workflow version). */
  private readonly systems = new Map<string, Promise<McpSystem[]>>();
  /** The MCP gateway of each work order, per caller, kept between requests (building one costs more than a call). */
  private readonly gateways = new Map<string, JsonMcpEndpoint>();

  constructor(
    private readonly downstream: DownstreamServers,
    private readonly rpc: RpcClient,
    private readonly results: HeldResults,
    private readonly toolCalls: ToolCallArgumentsRepository,
  ) {}

  @Post()
  async tools(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    // The tools call `/v1` with the request's own key: a server per request, so none outlives its key.
    const endpoint = new JsonMcpEndpoint(workgateMcpServer(apiOf(req), VERSION));
    try {
      await endpoint.handle(req, res);
    } finally {
      await endpoint.close();
    }
  }

  @Post('work-orders/:id')
  @Roles('integrator', 'operator')
  gateway(
    @Param('id', uuid) id: string,
    @CurrentPrincipal() p: Principal,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const key = `${id} ${p.id}`;
    let endpoint = this.gateways.get(key);
    if (!endpoint) {
      endpoint = new JsonMcpEndpoint(
        gatewayMcpServer(id, this.backend(p), this.downstream, (m) => this.logger.warn(m)),
      );
      rememberRecent(this.gateways, key, endpoint, GATEWAYS_KEPT);
    }
    return endpoint.handle(req, res);
  }

  /**
   * What the gateway asks, in this process (no HTTP round trip per call): the work order's MCP
   * systems (its workflow version never changes, so they are kept), decisions and results as the
   * caller (the route's roles are those that may request actions). A result is held for the work
   * order's next decision and sent with it, so the two are recorded in one commit (HeldResults).
   * With intake in this process, a decision is told to the gateway before its commit.
   */
  private backend(p: Principal): GatewayBackend {
    return {
      systems: (workOrderId) => {
        let systems = this.systems.get(workOrderId);
        if (!systems) {
          systems = this.rpc.request(Subjects.intake.get, { workOrderId }).then(async (handoff) => {
            const version = await this.rpc.request(Subjects.policy.get, {
              jobType: handoff.jobType,
              version: handoff.workflow.version,
            });
            return version.definition.systems.filter((s): s is McpSystem => s.mcp !== undefined);
          });
          systems.catch(() => this.systems.delete(workOrderId));
          rememberRecent(this.systems, workOrderId, systems, 10_000);
        }
        return systems;
      },
      decide: async (workOrderId, action, decided) => {
        void this.results.release(workOrderId);
        // The verdict the gateway is told is the command's answer, as the reply carries it.
        const told = decided && ((answer: WorkOrderAnswer) => isVerdict(answer) && decided(answer));
        const { answer } = await sendCommandInProcess(
          this.rpc,
          workOrderId,
          { type: 'RequestAction', body: action },
          commandMeta(p, undefined),
          told,
        );
        if (!isVerdict(answer)) throw new WorkgateError('internal', 'the action was answered without a decision');
        return answer;
      },
      keepArguments: (argumentsSha256, canonical) => this.toolCalls.keep(argumentsSha256, canonical),
      recordResult: (workOrderId, actionId, result) => {
        const meta = commandMeta(p, undefined);
        return this.results.hold(workOrderId, async () => {
          await sendCommandInProcess(
            this.rpc,
            workOrderId,
            { type: 'RecordActionResult', actionId, body: result },
            meta,
          );
        });
      },
    };
  }

  @Get()
  noStream(): never {
    throw stateless();
  }

  @Delete()
  noSession(): never {
    throw stateless();
  }

  @Get('work-orders/:id')
  noGatewayStream(): never {
    throw stateless();
  }
}

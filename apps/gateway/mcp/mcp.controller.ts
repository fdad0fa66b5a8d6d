import { Controller, Delete, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import { WorkgateError } from '@workgate/contracts';
import { DownstreamServers } from './downstream-servers';
import { gatewayMcpServer } from './gateway-mcp-server';
import { workgateApi } from './workgate-api';
import { workgateMcpServer } from './workgate-mcp-server';

const VERSION = '1';
const uuid = new ParseUUIDPipe({ exceptionFactory: () => new WorkgateError('not_found', 'no such work order') });
const stateless = () => new WorkgateError('method_not_allowed', 'this MCP endpoint is stateless: send each message with POST');

/** The `/v1` API of this gateway, with the caller's key: every tool goes through its checks. */
const apiOf = (req: Request) => workgateApi(`http://127.0.0.1:${req.socket.localPort}`, String(req.headers.authorization));

/** Answers one MCP message with a fresh server and transport (stateless: no sessions to keep). */
async function serve(server: Server, req: Request, res: Response): Promise<void> {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
}

/**
 * MCP over streamable HTTP, behind the same API-key auth as `/v1` (SPEC section 10):
 * `POST /mcp`, workgate's own tools; `POST /mcp/work-orders/:id`, the MCP gateway of one work
 * order (the tools of its workflow's MCP systems, every call decided before it is forwarded).
 */
@ApiExcludeController()
@Controller('mcp')
export class McpController {
  constructor(private readonly downstream: DownstreamServers) {}

  @Post()
  tools(@Req() req: Request, @Res() res: Response): Promise<void> {
    return serve(workgateMcpServer(apiOf(req), VERSION), req, res);
  }

  @Post('work-orders/:id')
  gateway(@Param('id', uuid) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return serve(gatewayMcpServer(id, apiOf(req), this.downstream), req, res);
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

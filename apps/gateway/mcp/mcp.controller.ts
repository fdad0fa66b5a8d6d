import { Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { WorkgateError } from '@workgate/contracts';
import { ApiExcludeController } from '@nestjs/swagger';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import { workgateApi } from './workgate-api';
import { workgateMcpServer } from './workgate-mcp-server';

const VERSION = '1';

/**
 * `POST /mcp`: workgate as an MCP server over streamable HTTP (stateless: each request its own
 * server and transport), behind the same API-key auth as `/v1`; every tool calls `/v1` with the
 * caller's key, so its roles apply.
 */
@ApiExcludeController()
@Controller('mcp')
export class McpController {
  /** Stateless: no stream to open. */
  @Get()
  noStream(): never {
    throw new WorkgateError('method_not_allowed', 'this MCP endpoint is stateless: send each message with POST');
  }

  /** Stateless: no session to end. */
  @Delete()
  noSession(): never {
    throw new WorkgateError('method_not_allowed', 'this MCP endpoint is stateless: send each message with POST');
  }

  @Post()
  async handle(@Req() req: Request, @Res() res: Response): Promise<void> {
    const api = workgateApi(`http://127.0.0.1:${req.socket.localPort}`, String(req.headers.authorization));
    const server = workgateMcpServer(api, VERSION);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }
}

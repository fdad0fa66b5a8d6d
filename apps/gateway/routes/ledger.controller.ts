import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsistencyProof, Subjects, VerifyCheckpointDto, VerifyResult } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, ReadByPost, ref } from '../openapi';
import { preferredType, Public, Roles } from '../http';

class EventsQuery {
  @IsOptional() @Matches(/^\d{1,15}$/, { message: 'after must be a ledger position' }) after?: string;
  @IsOptional() @Matches(/^\d{1,5}$/, { message: 'limit must be a number up to 10000' }) limit?: string;
}

class ConsistencyQuery {
  @IsOptional() @Matches(/^\d{1,15}$/, { message: 'from must be a tree size' }) from?: string;
  @IsOptional() @Matches(/^\d{1,15}$/, { message: 'to must be a tree size' }) to?: string;
}

/** Ledger export and proof, for ops leads and auditors. */
@ApiTags('ledger')
@Roles('ops-lead')
@Controller('v1/ledger')
export class LedgerController {
  constructor(private readonly rpc: RpcClient) {}

  /** Events in position order; NDJSON with `Accept: application/x-ndjson` (one event a line, `next` in the `Ledger-Next` header). */
  @Get('events')
  @Documented(
    'Export the ledger',
    {
      json: ref('ReadAllResult'),
      alternatives: { 'application/x-ndjson': { type: 'string', description: 'one event a line' } },
      headers: {
        'Ledger-Next': { description: 'with NDJSON: the `after` of the next page', schema: { type: 'string' } },
      },
    },
    'Events in position order from `after`; `Accept: application/x-ndjson` answers one event a line.',
  )
  async events(@Query() q: EventsQuery, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const page = await this.rpc.request(Subjects.ledger.readAll, {
      after: q.after === undefined ? 0 : Number(q.after),
      limit: q.limit === undefined ? 1000 : Number(q.limit),
    });
    if (preferredType(req.headers.accept, ['application/json', 'application/x-ndjson']) === 'application/x-ndjson') {
      void res
        .type('application/x-ndjson')
        .header('Ledger-Next', String(page.next))
        .send(page.events.map((e) => JSON.stringify(e)).join('\n') + (page.events.length ? '\n' : ''));
    } else {
      void res.send(page);
    }
  }

  @Get('verify')
  @Documented('Verify the hash chain', 'VerifyResult')
  verify(): Promise<VerifyResult> {
    return this.rpc.request(Subjects.ledger.verify, {}, { timeoutMs: 300_000 });
  }

  /** The newest signed checkpoint: JSON, or the C2SP signed note alone with `Accept: text/plain`. */
  @Get('checkpoint')
  @Documented(
    'The newest signed checkpoint',
    {
      json: ref('SignedCheckpoint'),
      alternatives: {
        'text/plain': {
          type: 'string',
          description:
            'a C2SP signed note carrying a C2SP tlog checkpoint (origin, tree size, base64 root hash), Ed25519',
        },
      },
    },
    "The ledger's Merkle tree (RFC 9162) signed as a C2SP signed note that any standard verifier checks with the key of `GET /v1/ledger/key`; keep copies outside the database. Signed on a cadence and when asked for a newer one; never for a history inconsistent with the last one signed (then 503).",
  )
  async checkpoint(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const checkpoint = await this.rpc.request(Subjects.ledger.checkpoint, {});
    if (preferredType(req.headers.accept, ['application/json', 'text/plain']) === 'text/plain')
      void res.type('text/plain; charset=utf-8').send(checkpoint.note);
    else void res.send(checkpoint);
  }

  /** A consistency proof between two tree sizes (RFC 9162). */
  @Get('consistency')
  @Documented(
    'A consistency proof between two tree sizes',
    'ConsistencyProof',
    'Proves that the tree of `from` events (default 1) is a prefix of the tree of `to` events (default: every event now; RFC 9162 section 2.1.4).',
  )
  consistency(@Query() q: ConsistencyQuery): Promise<ConsistencyProof> {
    return this.rpc.request(Subjects.ledger.consistency, {
      from: q.from === undefined ? 1 : Number(q.from),
      ...(q.to === undefined ? {} : { to: Number(q.to) }),
    });
  }

  /** Verifies the chain against a kept checkpoint: also catches a truncated or rewritten tail. */
  @Post('verify')
  @HttpCode(200)
  @ReadByPost()
  @Documented(
    'Verify the chain against a kept checkpoint',
    'VerifyResult',
    'The checkpoint as `GET /v1/ledger/checkpoint` answered it (`{checkpoint}`), or its signed note alone (`{note}`).',
  )
  verifyCheckpoint(@Body() body: VerifyCheckpointDto): Promise<VerifyResult> {
    return this.rpc.request(
      Subjects.ledger.verifyCheckpoint,
      body.note !== undefined ? { note: body.note } : { checkpoint: body.checkpoint },
      { timeoutMs: 300_000 },
    );
  }
}

/** The signed-note verifier key of the ledger's checkpoints: public, so anyone can check them. */
@ApiTags('ledger')
@Public()
@Controller('v1/ledger')
export class LedgerKeyController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('key')
  @Documented(
    "The checkpoints' verifier key",
    { alternatives: { 'text/plain': { type: 'string', description: '`<name>+<hex key hash>+<base64 Ed25519 key>`' } } },
    "The signed-note verifier key of every checkpoint: what Go's golang.org/x/mod/sumdb/note and other standard verifiers take.",
  )
  async key(@Res() res: FastifyReply): Promise<void> {
    const key = await this.rpc.request(Subjects.ledger.key, {});
    void res.type('text/plain; charset=utf-8').send(`${key.verifierKey}\n`);
  }
}

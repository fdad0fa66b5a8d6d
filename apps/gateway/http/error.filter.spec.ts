import { HttpException } from '@nestjs/common';
import { WorkgateError } from '@workgate/contracts';
import { echoesInternals, toHttpError } from './error.filter';

describe('error bodies never echo internals', () => {
  it.each<[string, WorkgateError, number, string]>([
    [
      'a Postgres constraint',
      new WorkgateError(
        'unavailable',
        'ledger append failed: duplicate key value violates unique constraint "ledger_events_pkey"',
      ),
      503,
      'a service is unavailable: retry later',
    ],
    [
      'a lost connection',
      new WorkgateError('unavailable', 'request on workgate.ledger.append failed: connect ECONNREFUSED 127.0.0.1:4222'),
      503,
      'a service is unavailable: retry later',
    ],
    [
      'SQL',
      new WorkgateError('timeout', 'canceling statement: syntax error at or near "SELEC"'),
      504,
      'no answer in time: the write may have happened, retry with the same Idempotency-Key',
    ],
    [
      'a stack overflow in details',
      new WorkgateError('invalid_definition', 'the definition is neither valid YAML nor JSON', [
        { path: '', message: 'Maximum call stack size exceeded at line 1, column 802' },
      ]),
      422,
      'unprocessable entity',
    ],
    [
      'a stack trace',
      new WorkgateError(
        'validation_failed',
        'TypeError: x is undefined\n    at parse (/app/dist/libs/workflow/compile.js:61:15)',
      ),
      422,
      'unprocessable entity',
    ],
  ])('%s: the code and a generic message, no details, logged as unexpected', (_what, error, status, message) => {
    const answer = toHttpError(error);
    expect(answer).toEqual({ status, body: { error: error.code, message }, unexpected: error });
  });

  it('keeps the refusals the API writes itself, word for word', () => {
    for (const error of [
      new WorkgateError('unavailable', 'no service answers on workgate.ledger.append'),
      new WorkgateError(
        'unavailable',
        "the ledger writer refuses to write: the ledger holds position 9, past this writer's head 8",
      ),
      new WorkgateError('validation_failed', 'title: holds U+0000 or an unpaired surrogate, which no text can store', [
        { path: 'title', message: 'holds U+0000' },
      ]),
      new WorkgateError('invalid_definition', 'the definition is nested deeper than 64 levels', [
        { path: '', message: 'is nested deeper than 64 levels' },
      ]),
      new WorkgateError('validation_failed', 'the relation between "a" and "b" is unknown: see the constraint list'),
    ]) {
      expect(toHttpError(error)).toEqual({
        status: expect.any(Number),
        body: { error: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
      });
    }
  });

  it("answers a Nest or Fastify 4xx that quotes an engine with its status's name", () => {
    expect(toHttpError(new HttpException('deadlock detected', 409))).toMatchObject({
      status: 409,
      body: { message: 'conflict' },
    });
    expect(echoesInternals('Connection terminated unexpectedly')).toBe(true);
    expect(echoesInternals('the work order is closed')).toBe(false);
  });
});

describe('a database out of reach is 503, not 500 (docs/api.md, Error catalog)', () => {
  const withCode = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
  it.each<[string, Error]>([
    [
      'no host of a host list answering',
      withCode(
        'no host of the database URL took a read-write session: 127.0.0.1:5433 did not answer: connect ECONNREFUSED 127.0.0.1:5433',
      ),
    ],
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a server shutting down', withCode('terminating connection due to administrator command', '57P01')],
    ['a primary demoted under the session', withCode('cannot execute INSERT in a read-only transaction', '25006')],
    ['a connection lost mid-answer', withCode('Connection terminated unexpectedly')],
  ])('%s', (_, error) => {
    expect(toHttpError(error)).toEqual({
      status: 503,
      body: { error: 'unavailable', message: 'a service is unavailable: retry later' },
      unexpected: error,
    });
  });

  it('keeps other errors a 500 that says nothing of them', () => {
    for (const error of [new Error('boom'), withCode('duplicate key value violates unique constraint "x"', '23505')])
      expect(toHttpError(error)).toEqual({
        status: 500,
        body: { error: 'internal', message: 'internal error' },
        unexpected: error,
      });
  });
});

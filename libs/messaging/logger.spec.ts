import { isPlainObject } from '@workgate/contracts';
import { workgateLogger } from './service';

/** The JSON lines `workgateLogger` writes while `log` runs (stdout and stderr both). */
function linesOf(log: () => void): Array<Record<string, unknown>> {
  const written: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  try {
    log();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return written.join('').split('\n').filter(Boolean).map(record);
}

/** One JSON line as the object it must be. */
function record(line: string): Record<string, unknown> {
  const value: unknown = JSON.parse(line);
  if (!isPlainObject(value)) throw new Error(`not a JSON object: ${line}`);
  return value;
}

describe('workgateLogger', () => {
  it('names levels in JSON lines as log collectors do: info, warn, error, debug, trace (never "log")', () => {
    const logger = workgateLogger('trace', false);
    const records = linesOf(() => {
      logger.log('started', 'workgate');
      logger.warn('unset variable', 'workgate');
      logger.error('failed', 'stack line', 'http');
      logger.debug?.('detail', 'workgate');
      logger.verbose?.('more detail', 'workgate');
      logger.fatal?.('gone', 'workgate');
    });
    expect(records.map((r) => [r.level, r.message])).toEqual([
      ['info', 'started'],
      ['warn', 'unset variable'],
      ['error', 'failed'],
      ['debug', 'detail'],
      ['trace', 'more detail'],
      ['fatal', 'gone'],
    ]);
    expect(records[0]).toMatchObject({ context: 'workgate', pid: process.pid });
    expect(records[2]).toMatchObject({ context: 'http', stack: 'stack line' });
  });

  it('keeps Nest start-up lines out below debug, and honours the level', () => {
    const logger = workgateLogger('warn', false);
    const records = linesOf(() => {
      logger.log('Nest application successfully started', 'NestApplication');
      logger.log('hidden at warn', 'workgate');
      logger.warn('shown', 'workgate');
    });
    expect(records.map((r) => [r.level, r.message])).toEqual([['warn', 'shown']]);
    const info = linesOf(() => workgateLogger('info', false).log('Mapped {/v1, GET} route', 'RouterExplorer'));
    expect(info).toEqual([]);
  });
});

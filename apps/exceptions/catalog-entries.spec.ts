import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkgateError } from '@workgate/contracts';
import { escalationRule, readCatalog, readCatalogEntries } from './catalog-entries';

const entry = { code: 'VENDOR_LATE', title: 'The vendor is late', owner: 'stores-lead', sla: 'PT4H' };

/** The refusal `run` throws: its code, message and problems. */
function refusal(run: () => unknown): WorkgateError {
  try {
    run();
  } catch (error) {
    if (error instanceof WorkgateError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('exception-code catalog entries', () => {
  it('reads the shipped catalog', () => {
    const codes = readCatalog(readFileSync(join(__dirname, '..', '..', 'config', 'exception-codes.yaml'), 'utf8'));
    expect(codes.map((c) => c.code)).toContain('PREREQ_MISSING');
  });

  it('keeps an escalation rule, escalateAfter PT0S when not given', () => {
    expect(readCatalogEntries([{ ...entry, escalateTo: 'duty-manager', escalateAfter: 'PT2H' }])).toEqual([
      { ...entry, escalateTo: 'duty-manager', escalateAfter: 'PT2H' },
    ]);
    expect(readCatalogEntries([{ ...entry, escalateTo: 'duty-manager' }])).toEqual([
      { ...entry, escalateTo: 'duty-manager', escalateAfter: 'PT0S' },
    ]);
    expect(readCatalogEntries([entry])).toEqual([entry]);
  });

  it('refuses a bad escalation rule naming the field: in a file by its path, over the API by its name', () => {
    expect(refusal(() => readCatalogEntries([{ ...entry, escalateTo: 'x', escalateAfter: 'soon' }]))).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'codes[0].escalateAfter', message: expect.stringContaining('"soon" is not an ISO 8601') }],
    });
    const api = (e: Record<string, unknown>) => refusal(() => readCatalogEntries([e], (_, field) => field)).details;
    expect(api({ ...entry, escalateTo: 'x', escalateAfter: 'P1Y' })).toEqual([
      { path: 'escalateAfter', message: expect.stringContaining('is not an ISO 8601 duration') },
    ]);
    expect(api({ ...entry, escalateTo: 'x', escalateAfter: 'P3651D' })).toEqual([
      { path: 'escalateAfter', message: 'must be at most P3650D' },
    ]);
    expect(api({ ...entry, escalateAfter: 'PT1H' })).toEqual([
      { path: 'escalateAfter', message: 'needs escalateTo (whom to escalate to)' },
    ]);
    expect(api({ ...entry, escalateTo: 'two words' })).toEqual([
      { path: 'escalateTo', message: 'must be a principal id' },
    ]);
    expect(api({ ...entry, sla: 'soon', escalateTo: 42 })).toEqual([
      { path: 'sla', message: expect.stringContaining('"soon"') },
      { path: 'escalateTo', message: 'must be a principal id' },
    ]);
  });

  it("reads a code's rule as the timers need it", () => {
    expect(escalationRule({ ...entry, escalateTo: 'x', escalateAfter: 'PT2S' })).toEqual({ to: 'x', afterMs: 2000 });
    expect(escalationRule({ ...entry, escalateTo: 'x' })).toEqual({ to: 'x', afterMs: 0 });
    expect(escalationRule(entry)).toBeUndefined();
    expect(escalationRule(undefined)).toBeUndefined();
  });
});

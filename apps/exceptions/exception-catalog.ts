import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { parse } from 'yaml';
import { ExceptionCode } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { parseDuration } from '@workgate/workflow';

const CODE = /^[A-Z][A-Z0-9_]*$/;

/** Reads and checks a catalog file: `codes: [{code, title, owner, sla}]`. Throws naming every bad entry. */
export function readCatalog(text: string): ExceptionCode[] {
  const doc = parse(text) as { codes?: unknown };
  if (!doc || !Array.isArray(doc.codes)) throw new Error('the catalog must have a list "codes"');
  const problems: string[] = [];
  const seen = new Set<string>();
  const codes = doc.codes.map((raw, i) => {
    const c = (raw ?? {}) as Record<string, unknown>;
    if (typeof c.code !== 'string' || !CODE.test(c.code)) problems.push(`codes[${i}].code must look like PREREQ_MISSING`);
    else if (seen.has(c.code)) problems.push(`codes[${i}].code ${c.code} appears twice`);
    else seen.add(c.code);
    if (typeof c.title !== 'string' || !c.title) problems.push(`codes[${i}].title is required`);
    if (typeof c.owner !== 'string' || !c.owner) problems.push(`codes[${i}].owner is required`);
    if (!parseDuration(c.sla)) problems.push(`codes[${i}].sla must be an ISO 8601 duration`);
    return { code: c.code, title: c.title, owner: c.owner, sla: c.sla } as ExceptionCode;
  });
  if (problems.length) throw new Error(`invalid exception-code catalog:\n  - ${problems.join('\n  - ')}`);
  return codes;
}

/** The exception-code catalog, seeded from WORKGATE_EXCEPTION_CODES. */
@Injectable()
export class ExceptionCatalog implements OnModuleInit {
  private codes: ExceptionCode[] = [];

  constructor(@Inject(WorkgateConfig) private readonly config: WorkgateConfig) {}

  onModuleInit(): void {
    this.codes = readCatalog(readFileSync(this.config.WORKGATE_EXCEPTION_CODES, 'utf8'));
    new Logger('exceptions').log(`exception-code catalog: ${this.codes.length} codes`);
  }

  list(): ExceptionCode[] {
    return this.codes;
  }
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The seed exception-code catalog (config/exception-codes.yaml) with each `[pattern, replacement]`
 * applied in turn (a shorter SLA, an escalation rule), written to a file of its own: its path, for
 * WORKGATE_EXCEPTION_CODES.
 */
export function editedCatalog(...edits: Array<[RegExp, string]>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'wg-catalog-')), 'codes.yaml');
  const seed = readFileSync(join(__dirname, '..', '..', 'config', 'exception-codes.yaml'), 'utf8');
  writeFileSync(
    path,
    edits.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), seed),
  );
  return path;
}

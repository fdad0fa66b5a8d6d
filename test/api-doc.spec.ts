import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes } from '@workgate/contracts';

/** docs/api.md is the reference of the HTTP API: its error catalog names every code with the status the gateway answers. */
describe('docs/api.md', () => {
  const doc = readFileSync(join(__dirname, '..', 'docs', 'api.md'), 'utf8');
  const catalog = doc.slice(doc.indexOf('## Error catalog'));
  const rows = catalog.split('\n').filter((line) => line.startsWith('| `'));

  it('lists every code of the catalog once, in a row with its status', () => {
    const problems: string[] = [];
    for (const [code, status] of Object.entries(ErrorCodes)) {
      const found = rows.filter((row) => row.split('|')[1].includes(`\`${code}\``));
      if (found.length !== 1) problems.push(`${code}: in ${found.length} rows`);
      else if (!found[0].split('|')[2].includes(String(status))) problems.push(`${code}: not with ${status}`);
    }
    expect(problems).toEqual([]);
  });

  it('names no code outside the catalog', () => {
    const named = rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]));
    expect(named.filter((code) => !(code in ErrorCodes))).toEqual([]);
  });
});

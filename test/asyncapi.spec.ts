/**
 * docs/asyncapi.yaml is the contract of workgate's NATS subjects: it must be the document
 * generated from its template and the contracts, parse as AsyncAPI without errors and name every
 * request/reply subject declared in libs/contracts/subjects.ts, and no other.
 * (test/asyncapi-messages.e2e-spec.ts checks the messages of a real run against it.)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AsyncAPIDocumentInterface, Diagnostic, DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { ErrorCodes, Notices, REPLY_SCHEMAS, SERVICES, Subjects, ledgerSubject } from '@workgate/contracts';
import { ASYNCAPI_DOCUMENT, ASYNCAPI_TEMPLATE, asyncApiDocument } from '../apps/gateway/openapi/asyncapi';
import { arrayOf, isString, parsed, shaped } from './support/guards';

const DOC = join(__dirname, '..', ASYNCAPI_DOCUMENT);
/** Where the validation's verdicts are kept, by the document's and the parser's hash. */
const VERDICTS = join(__dirname, '..', 'node_modules', '.cache', 'workgate-asyncapi');

/** Every string constant of `Subjects` with its path (e.g. `ledger.append.subject`); functions are checked separately. */
function subjectConstants(node: unknown, path: string[] = []): Array<{ path: string; subject: string }> {
  if (typeof node === 'string') return [{ path: path.join('.'), subject: node }];
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) => subjectConstants(value, [...path, key]));
  }
  return [];
}

/** Does a concrete subject match a channel address whose `{param}`s stand for one NATS token each? */
function addressMatches(address: string, subject: string): boolean {
  const a = address.split('.');
  const s = subject.split('.');
  return a.length === s.length && a.every((token, i) => (/^\{[^}]+\}$/.test(token) ? s[i].length > 0 : token === s[i]));
}

function describeDiagnostic(d: Diagnostic): string {
  return `${DiagnosticSeverity[d.severity]} ${d.code} at ${d.path.join('.') || '(root)'}: ${d.message}`;
}

/**
 * The errors the parser's whole validation (its core rules: the AsyncAPI 3 schema, references,
 * channels and operations) finds in `text`. The validation takes most of this file's time, so its
 * verdict is kept in node_modules/.cache under the hash of the text and the parser's version, and a
 * run that finds both unchanged reads it.
 */
async function validationErrors(text: string): Promise<string[]> {
  const manifest = require.resolve('@asyncapi/parser/package.json');
  const { version } = parsed(readFileSync(manifest, 'utf8'), shaped({ version: isString }), manifest);
  const kept = join(VERDICTS, `${createHash('sha256').update(`${version}\n${text}`).digest('hex')}.json`);
  if (existsSync(kept)) return parsed(readFileSync(kept, 'utf8'), shaped({ errors: arrayOf(isString) }), kept).errors;
  const { diagnostics } = await new Parser().parse(text);
  const errors = diagnostics.filter((d) => DiagnosticSeverity[d.severity] === 'Error').map(describeDiagnostic);
  mkdirSync(VERDICTS, { recursive: true });
  writeFileSync(kept, JSON.stringify({ errors }));
  return errors;
}

describe('docs/asyncapi.yaml', () => {
  let document: AsyncAPIDocumentInterface | undefined;
  let errors: string[] = [];
  let addresses: string[] = [];

  beforeAll(async () => {
    const text = readFileSync(DOC, 'utf8');
    errors = await validationErrors(text);
    // The document's model, read without the validation (the verdict above is its own).
    ({ document } = await new Parser({ ruleset: { core: false, recommended: false } }).parse(text));
    addresses = (document?.channels().all() ?? [])
      .map((c) => c.address())
      .filter((a): a is string => typeof a === 'string');
  });

  it('is the document generated from its template and the contracts (`npm run docs:asyncapi`)', () => {
    const template = readFileSync(join(__dirname, '..', ASYNCAPI_TEMPLATE), 'utf8');
    expect(readFileSync(DOC, 'utf8') === asyncApiDocument(template)).toBe(true);
  });

  it('holds every answer schema of the contracts, as the contracts declare it', () => {
    const { components } = parse(readFileSync(DOC, 'utf8'));
    for (const { name, schema } of REPLY_SCHEMAS)
      expect(components.schemas[name]).toEqual(JSON.parse(JSON.stringify(schema)));
  });

  it('parses as AsyncAPI 3.0.0 with no errors', () => {
    expect(errors).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
    const servers = document!.servers().all();
    expect(servers.map((s) => [s.protocol(), s.host()])).toContainEqual(['nats', '127.0.0.1:4222']);
  });

  it('has a channel for every request/reply subject of the contracts', () => {
    const constants = subjectConstants(Subjects);
    expect(constants.length).toBeGreaterThan(0);
    const missing = constants
      .filter(({ subject }) => !addresses.includes(subject))
      .map((c) => `${c.path}: ${c.subject}`);
    expect(missing).toEqual([]);
  });

  it('has a channel for every notice of the contracts', () => {
    expect(
      Object.values(Notices)
        .map((n) => n.subject)
        .filter((subject) => !addresses.includes(subject)),
    ).toEqual([]);
  });

  it('documents no request/reply subject or notice the contracts do not declare', () => {
    // `workgate.<service>.<verb>`: the health channel and the stream and notification channels have `{...}` tokens.
    const documented = addresses.filter((a) => /^workgate\.[^.{}]+\.[^.{}]+$/.test(a));
    expect(documented.length).toBeGreaterThan(0);
    const subjects = new Set([
      ...subjectConstants(Subjects).map((c) => c.subject),
      ...Object.values(Notices).map((n) => n.subject),
    ]);
    expect(documented.filter((address) => !subjects.has(address))).toEqual([]);
  });

  it('has workgate.{service}.health for Subjects.health, with every service as a parameter value', () => {
    expect(addresses).toContain('workgate.{service}.health');
    for (const service of SERVICES)
      expect(addressMatches('workgate.{service}.health', Subjects.health(service).subject)).toBe(true);
    const channel = document!
      .channels()
      .all()
      .find((c) => c.address() === 'workgate.{service}.health')!;
    const parameter = channel.parameters().get('service');
    expect((parameter?.schema()?.enum() ?? []).slice().sort()).toEqual([...SERVICES].sort());
  });

  it('has the stream channels: work events, rejections and the ledger', () => {
    for (const address of [
      'workgate.events.{source}',
      'workgate.rejected.{source}',
      'ledger.{streamType}.{eventType}',
    ]) {
      expect(addresses).toContain(address);
    }
    expect(addressMatches('ledger.{streamType}.{eventType}', ledgerSubject('workorder-42', 'StepCompleted'))).toBe(
      true,
    );
  });

  it('describes every request/reply subject as a send operation with a reply', () => {
    const requestSubjects = [...subjectConstants(Subjects).map((c) => c.subject), 'workgate.{service}.health'];
    const withoutReply = requestSubjects.filter(
      (subject) =>
        !document!
          .operations()
          .all()
          .some(
            (op) =>
              op.isSend() &&
              op.reply() !== undefined &&
              op
                .channels()
                .all()
                .some((c) => c.address() === subject),
          ),
    );
    expect(withoutReply).toEqual([]);
  });

  it('names every error code of the catalog, in its order, and no other', () => {
    const wireError = document!.components().schemas().get('WireError');
    expect(wireError?.properties()?.code?.enum()).toEqual(Object.keys(ErrorCodes));
  });
});

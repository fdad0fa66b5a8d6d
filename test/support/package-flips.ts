import type { ProofPackage } from '@workgate/contracts';
import { arrayOf, checked, isRecord, isString, parsed, recordOf, shaped } from './guards';

type Json = Record<string, unknown>;
/** A proof package as JSON, the way the verifier reads one (a file's contents). */
export type PackageJson = Json & { receipts: unknown[] };
const isPackageJson = (value: unknown): value is PackageJson => isRecord(value) && Array.isArray(value.receipts);
/** An object or an array of the JSON, indexed by key or position. */
const isNode = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** A place in the JSON: the keys and array positions that lead to it. */
export type JsonPath = Array<string | number>;

/** The package as the JSON a file of it holds: a deep copy. */
export const asJson = (pkg: object): PackageJson => parsed(JSON.stringify(pkg), isPackageJson, 'the package');

/** One character of `text` at `at` changed to another of the same kind (a digit stays a digit, hex stays hex). */
export function flipped(text: string, at: number): string {
  const c = text[at];
  const other = c === 'a' ? 'b' : c === 'A' ? 'B' : /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : 'a';
  return text.slice(0, at) + other + text.slice(at + 1);
}

/** A value one byte away: a string with one character flipped (at `at`, the middle when not given), a number's last digit, a boolean negated. */
function flippedValue(value: unknown, at?: number): unknown {
  if (typeof value === 'string') return value === '' ? 'a' : flipped(value, at ?? Math.floor(value.length / 2));
  if (typeof value === 'number') return Number(flipped(String(value), String(value).length - 1));
  if (typeof value === 'boolean') return !value;
  return 'a';
}

/** A deep copy of the package with the value at `path` one byte away (a string's character at `at`, the middle when not given). */
export function flipAt(pkg: object, path: JsonPath, at?: number): PackageJson {
  const copy = asJson(pkg);
  let holder: Json = copy;
  for (const step of path.slice(0, -1)) holder = checked(holder[step], isNode, path.join('.'));
  const last = path[path.length - 1];
  if (!(last in holder)) throw new Error(`${path.join('.')} is not in the package`);
  holder[last] = flippedValue(holder[last], at);
  return copy;
}

/** The path of every leaf of the JSON (a string, number, boolean or null), in document order. */
export function leafPaths(value: unknown, path: JsonPath = []): JsonPath[] {
  if (!isNode(value)) return [path];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, Array.isArray(value) ? Number(k) : k]));
}

/** A leaf's shape: its path with array positions left out (`map.nodes.*.label`). */
export const shapeOf = (path: JsonPath) => path.map((step) => (typeof step === 'number' ? '*' : step)).join('.');

/**
 * The part of the package a path is in, as the verifier names it (a receipt without its id):
 * `receipt 2/3`, `delivery.json`, `map`, … The work order's id is what every part is checked
 * against: changed, every receipt and the issuance record are of another work order, and the
 * issuance record is named.
 */
export function partAt(pkg: PackageJson, path: JsonPath): string {
  const [top, next] = path;
  if (path.join('.') === 'workOrder.id') return 'issuance';
  if (top === 'delivery') return `delivery.${String(next)}`;
  if (top === 'receipts' && typeof next === 'number') return `receipt ${next + 1}/${pkg.receipts.length}`;
  return String(top);
}

/** The part a problem names: the words before its first `:` (`NOT BOUND <part>` for a part nothing binds). */
export const partOf = (problem: string) =>
  problem.startsWith('NOT BOUND: ') ? `NOT BOUND ${problem.slice(11).split(' — ')[0]}` : problem.split(':')[0];

/** The part a problem names, a receipt without its id (`receipt 2/3`): a receipt whose id was changed is named by its place. */
export const placeOf = (problem: string) => partOf(problem).replace(/^(receipt \d+\/\d+) .*$/, '$1');

/** The digests an issuance record holds, read from the package (the ledger's record, not the verifier). */
const isIssued = shaped({ parts: recordOf(isString), receipts: arrayOf(shaped({ sha256: isString })) });

export const HEX = '[0-9a-f]{64}';
/** `text` as a regular expression matching it literally. */
export const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** One change: where, at which character (the middle when not given), and the whole problem the verifier must name it with. */
export type Flip = { path: JsonPath; at?: number; says: string | RegExp };

/**
 * The flips of a package: one character in each part (the work order, the delivery page's JSON and
 * HTML, the definition, a step node and an exception node's label, owner and SLA of the map, the
 * boundary, three fields of each receipt, a receipt's chain hash, the checkpoint, the verifier key,
 * the issuance record), each with what the verifier must say. The expected messages are docs/ledger.md's.
 */
export function flipsOf(pkg: ProofPackage): Flip[] {
  const n = pkg.receipts.length;
  const events = pkg.receipts[0].event !== undefined;
  const issued = checked(pkg.issuance.event.data, isIssued, 'the issuance record');
  const record = `the issuance record \\(position ${pkg.issuance.event.position}\\) records`;
  const recorded = (part: string) =>
    new RegExp(`^${escaped(part)}: its sha256 ${HEX} is not the ${issued.parts[part]} ${record}$`);
  const name = (i: number) => `receipt ${i + 1}/${n} ${pkg.receipts[i].receiptId}`;
  const step = pkg.map.nodes.findIndex((node) => node.kind === 'step');
  const exception = pkg.map.nodes.findIndex((node) => node.kind === 'exception');
  const recompute = (part: string, field: string) =>
    `${part}: ${part}.${field} is not what the ${n} proven events make it`;
  const receipt = (i: number, field: 'at' | 'actor' | 'kind', what: string): Flip => ({
    path: ['receipts', i, field],
    at: 0,
    says: events
      ? `${name(i)}: ${what} is not what its event records`
      : `${name(i)}: its sha256 is not the ${issued.receipts[i].sha256} the issuance record (position ${pkg.issuance.event.position}) records`,
  });
  const definition = events
    ? new RegExp(
        `^definition: its sha256 ${HEX} is not the policy ${pkg.workOrder.workflow.sha256} the work order was opened under \\(its WorkOrderOpened event, receipt ${pkg.receipts[0].receiptId}\\)$`,
      )
    : recorded('definition');
  return [
    { path: ['workOrder', 'status'], at: 0, says: events ? recompute('workOrder', 'status') : recorded('workOrder') },
    {
      path: ['delivery', 'json', 'status'],
      at: 0,
      says: events ? recompute('delivery.json', 'status') : recorded('delivery.json'),
    },
    { path: ['delivery', 'html'], says: 'delivery.html: it is not the page delivery.json renders to' },
    { path: ['definition'], at: pkg.definition.indexOf('"title":"') + 10, says: definition },
    {
      path: ['map', 'nodes', step, 'label'],
      at: 0,
      says: `map: its nodes (at ${pkg.map.nodes[step].id}) are not what the definition gives`,
    },
    // An exception node's label, owner and SLA are the exception catalog's of the day, bound by the issuance record.
    { path: ['map', 'nodes', exception, 'label'], at: 0, says: recorded('map') },
    { path: ['map', 'nodes', exception, 'owner'], at: 0, says: recorded('map') },
    { path: ['map', 'nodes', exception, 'detail', 'sla'], at: 2, says: recorded('map') },
    { path: ['boundary', 'systems', 0, 'name'], at: 0, says: "boundary: its systems are not the definition's systems" },
    ...pkg.receipts.flatMap((r, i) => [
      receipt(i, 'at', 'its time'),
      receipt(i, 'actor', 'its actor'),
      receipt(i, 'kind', `its kind "a${r.kind.slice(1)}"`),
    ]),
    {
      path: ['receipts', 1, 'ledger', 'hash'],
      at: 0,
      says: `${name(1)}: the inclusion proof does not lead to the checkpoint's root`,
    },
    ...(events
      ? [
          {
            path: ['receipts', 2, 'event', 'hash'],
            at: 0,
            says: `${name(2)}: the event's chain hash is not the receipt's`,
          },
        ]
      : []),
    {
      path: ['checkpoint'],
      at: pkg.checkpoint.indexOf('\n') + 3,
      says: `checkpoint: its signature: the signature by ${pkg.checkpoint.split('\n')[0]} does not verify`,
    },
    { path: ['verifierKey'], at: 0, says: 'verifierKey: it is not the verifier key given (--key)' },
    ...[
      ['issuance', 'event', 'data', 'parts', 'map'],
      ['issuance', 'event', 'recordedAt'],
    ].map((path) => ({
      path,
      at: 3,
      says: 'issuance: its event does not hash to its chain hash: its content differs from what the ledger recorded',
    })),
    {
      path: ['issuance', 'proof', 'inclusion', 0],
      at: 0,
      says: "issuance: the inclusion proof does not lead from its event's leaf to the checkpoint's root",
    },
  ];
}

import { CloudEvent } from 'cloudevents';
import {
  CLOUD_EVENT_COMMANDS,
  CloudEventMode,
  duplicateKeyProblem,
  Envelope,
  FieldProblem,
  isCloudEventType,
  jsonValueProblems,
  NO_ROUNDED_NUMBERS,
  objectMembers,
  roundedNumberProblems,
  roundedNumbers,
  storable,
  WorkOrderCommandRequest,
} from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';

export const MAX_EVENT_BYTES = 1024 * 1024;
/** Refuses invalid UTF-8 instead of replacing it; one decoder serves every message (no streaming state). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export type Parsed =
  | { ok: true; envelope: Envelope; request: WorkOrderCommandRequest }
  | { ok: false; source?: string; id?: string; reasons: string[] };

/** An attribute of a refused event as it is kept: only a string, and only as text that can be stored. */
const kept = (value: unknown): string | undefined => (typeof value === 'string' ? storable(value) : undefined);
/** A structured event's attributes as it holds them, before they are checked. */
type RawEnvelope = { [K in 'id' | 'source' | 'type' | 'subject' | 'time' | 'data']: unknown } & {
  traceparent?: string;
  tracestate?: string;
};

const fail = (reasons: string[], envelope?: { source?: unknown; id?: unknown }): Parsed => ({
  ok: false,
  source: kept(envelope?.source),
  id: kept(envelope?.id),
  reasons,
});
const describe = (p: FieldProblem) => (p.path ? `${p.path}: ${p.message}` : p.message);

/** The attributes every CloudEvent has; any other attribute that is `null` is absent (CloudEvents 1.0 JSON format). */
const REQUIRED = new Set(['specversion', 'id', 'source', 'type']);

/**
 * A structured-mode CloudEvent (already JSON-parsed) -> the command it carries, or every reason it
 * is refused. `rounded`: the numbers its JSON text held that the parse rounded (refused where they are).
 */
export function fromStructured(
  value: unknown,
  receivedAt: string,
  rounded: ReadonlyMap<number, string> = NO_ROUNDED_NUMBERS,
  repeated?: FieldProblem,
): Parsed {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return fail(['a CloudEvent must be a JSON object']);
  const problems = jsonValueProblems(value);
  if (problems.length === 0) problems.push(...roundedNumberProblems(rounded, value));
  // A key its text holds twice (`repeated`), once the value itself passes: as the gateway orders its refusals.
  if (problems.length === 0 && repeated) problems.push(repeated);
  if (problems.length) return fail(problems.map(describe), value);
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null || REQUIRED.has(k)) raw[k] = v;
  const envelope: RawEnvelope = {
    id: raw.id,
    source: raw.source,
    type: raw.type,
    subject: raw.subject,
    time: raw.time,
    data: raw.data,
  };
  if (typeof raw.traceparent === 'string') envelope.traceparent = raw.traceparent;
  if (typeof raw.tracestate === 'string') envelope.tracestate = raw.tracestate;
  const reasons: string[] = [];
  if (raw.specversion !== '1.0') reasons.push('specversion must be "1.0"');
  if (typeof raw.id !== 'string' || raw.id.length === 0) reasons.push('id is required');
  if (typeof raw.source !== 'string' || raw.source.length === 0) reasons.push('source is required');
  if (typeof raw.type !== 'string' || raw.type.length === 0) reasons.push('type is required');
  if (
    raw.datacontenttype !== undefined &&
    (typeof raw.datacontenttype !== 'string' || !JSON_MEDIA.test(raw.datacontenttype))
  )
    reasons.push('datacontenttype must be JSON');
  if (raw.data !== undefined && raw.data_base64 !== undefined)
    reasons.push('data and data_base64 are both present: an event carries one of them');
  if (raw.data_base64 !== undefined) {
    const decoded =
      typeof raw.data_base64 === 'string'
        ? decodeJson(Buffer.from(raw.data_base64, 'base64'))
        : { ok: false as const, reason: 'a string' };
    const inData = decoded.ok
      ? [...jsonValueProblems(decoded.value, 'data'), ...roundedNumberProblems(decoded.rounded, decoded.value, 'data')]
      : [];
    const repeatedInData = decoded.ok && inData.length === 0 ? repeatedKey(decoded, 'data') : undefined;
    if (repeatedInData) inData.push(repeatedInData);
    if (inData.length) return fail(inData.map(describe), envelope);
    if (decoded.ok) envelope.data = decoded.value;
    else reasons.push(`data_base64 must be base64 of UTF-8 JSON (${decoded.reason})`);
    delete raw.data_base64;
    raw.data = envelope.data;
  }
  if (reasons.length) return fail(reasons, envelope);
  try {
    new CloudEvent(raw, true); // the SDK's own spec checks (attribute names and formats)
  } catch (error) {
    const errs = (error as { errors?: Array<{ instancePath?: string; message?: string }> }).errors;
    return fail(
      errs?.length
        ? errs.map((e) => `${(e.instancePath ?? '').replace(/^\//, '') || 'event'}: ${e.message}`)
        : [(error as Error).message],
      envelope,
    );
  }
  return toCommand(envelope, receivedAt);
}

const JSON_MEDIA = /^application\/(.+\+)?json\b/i;

type Decoded =
  { ok: true; value: unknown; rounded: ReadonlyMap<number, string>; text: string } | { ok: false; reason: string };

/** Bytes as UTF-8 JSON (an empty body is no value), or why they are not. */
function decodeJson(body: Uint8Array): Decoded {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = text.length ? JSON.parse(text) : undefined;
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
  return { ok: true, value, rounded: roundedNumbers(text), text };
}

/** A key the decoded text holds twice in one object (a parse keeps the last silently), named by its path under `path`. */
const repeatedKey = (decoded: { value: unknown; text: string }, path = ''): FieldProblem | undefined =>
  decoded.value !== null && typeof decoded.value === 'object'
    ? duplicateKeyProblem(decoded.text, objectMembers(decoded.value), path)
    : undefined;

/** Binary mode: the attributes from `ce-` headers (any case), `datacontenttype` from `content-type`, the body as `data`. */
function binary(
  headers: Record<string, string>,
  data: unknown,
  decode: (value: string) => string = (v) => v,
): Record<string, unknown> | undefined {
  const event: Record<string, unknown> = { data };
  for (const key in headers) {
    const k = key.toLowerCase();
    if (k.startsWith('ce-')) event[k.slice(3)] = decode(headers[key]);
    else if (k === 'content-type') event.datacontenttype = headers[key];
  }
  return event.specversion !== undefined ? event : undefined;
}

/** A message from `workgate.events.<source>`: structured (JSON body) or binary (`ce-` headers, body = data). */
export function fromNatsMessage(headers: Record<string, string>, body: Uint8Array, receivedAt: string): Parsed {
  if (body.length > MAX_EVENT_BYTES) return fail([`the message is larger than ${MAX_EVENT_BYTES} bytes`]);
  const decoded = decodeJson(body);
  if (!decoded.ok) return fail([`the body is ${decoded.reason}`]);
  const event = binary(headers, decoded.value);
  return fromStructured(event ?? decoded.value, receivedAt, decoded.rounded, repeatedKey(decoded, event ? 'data' : ''));
}

/** A header value of the HTTP binding: percent-encoded where it is not printable ASCII. */
function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * `POST /v1/events` in any mode of the CloudEvents HTTP binding: the events it carries, each
 * parsed and validated exactly as a message on `WORK_EVENTS` is.
 */
export function fromHttp(
  mode: CloudEventMode,
  headers: Record<string, string>,
  body: Uint8Array,
  receivedAt: string,
): Parsed[] {
  if (body.length > MAX_EVENT_BYTES) return [fail([`the body is larger than ${MAX_EVENT_BYTES} bytes`])];
  const decoded = decodeJson(body);
  if (!decoded.ok) return [fail([`the body is ${decoded.reason}`])];
  if (mode === 'structured') return [fromStructured(decoded.value, receivedAt, decoded.rounded, repeatedKey(decoded))];
  if (mode === 'binary') {
    const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    if (!JSON_MEDIA.test(contentType))
      return [fail([`binary mode data must be JSON (content-type application/json), not "${contentType}"`])];
    const event = binary(headers, decoded.value, percentDecoded);
    return [
      event
        ? fromStructured(event, receivedAt, decoded.rounded, repeatedKey(decoded, 'data'))
        : fail(['binary mode needs ce-specversion, ce-id, ce-source and ce-type headers']),
    ];
  }
  if (!Array.isArray(decoded.value)) return [fail(['a batch is a JSON array of CloudEvents'])];
  // All or none: a batch that repeats a key anywhere is refused whole, naming the key's path.
  const repeated = repeatedKey(decoded);
  if (repeated) return [fail([describe(repeated)])];
  return decoded.value.map((item) => fromStructured(item, receivedAt, decoded.rounded));
}

function toCommand(raw: RawEnvelope, receivedAt: string): Parsed {
  const { id, source, type, subject, time } = raw;
  // fromStructured refused an event without id, source or type already.
  if (typeof id !== 'string' || typeof source !== 'string' || typeof type !== 'string')
    return fail(['id, source and type are required'], raw);
  if (!isCloudEventType(type))
    return fail([`unknown CloudEvent type "${type}" (known: ${Object.keys(CLOUD_EVENT_COMMANDS).join(', ')})`], raw);
  if (typeof subject !== 'string' || subject.length === 0) {
    return fail(["subject is required: it is the work order's externalRef within source"], raw);
  }
  if (time !== undefined && (typeof time !== 'string' || Number.isNaN(Date.parse(time))))
    return fail(['time must be an RFC 3339 time'], raw);
  const envelope: Envelope = { ...raw, id, source, type, subject, time };
  const mapping = CLOUD_EVENT_COMMANDS[type];
  // fromStructured checked the whole event's keys; the checked data is the plain JSON as it is.
  const checked = mapping.command(envelope.data, envelope.source, subject);
  if (!checked.ok)
    return fail(
      checked.problems.map((p) => `data${p.path ? `.${p.path}` : ''}: ${p.message}`),
      envelope,
    );
  const command = checked.command;
  return {
    ok: true,
    envelope,
    request: {
      address: { source: envelope.source, externalRef: subject },
      command,
      meta: {
        commandId: deterministicUuid('cloudevent', envelope.source, envelope.id),
        actor: `source:${envelope.source}`,
        now: envelope.time ? new Date(envelope.time).toISOString() : receivedAt,
        channel: envelope.source,
      },
    },
  };
}

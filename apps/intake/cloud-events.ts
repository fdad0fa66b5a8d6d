import { CloudEvent } from 'cloudevents';
import { CLOUD_EVENT_COMMANDS, Envelope, FieldProblem, forbiddenKeyProblems, isCloudEventType, validateDto, WorkOrderCommandRequest } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';

export const MAX_EVENT_BYTES = 1024 * 1024;
/** Refuses invalid UTF-8 instead of replacing it; one decoder serves every message (no streaming state). */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export type Parsed = { ok: true; envelope: Envelope; request: WorkOrderCommandRequest } | { ok: false; source?: string; id?: string; reasons: string[] };

const fail = (reasons: string[], envelope?: Partial<Envelope>): Parsed => ({ ok: false, source: envelope?.source, id: envelope?.id, reasons });
const describe = (p: FieldProblem) => (p.path ? `${p.path}: ${p.message}` : p.message);

/** A structured-mode CloudEvent (already JSON-parsed) -> the command it carries, or every reason it is refused. */
export function fromStructured(value: unknown, receivedAt: string): Parsed {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(['a CloudEvent must be a JSON object']);
  const raw = value as Record<string, unknown>;
  const envelope = { id: raw.id, source: raw.source, type: raw.type, subject: raw.subject, time: raw.time, data: raw.data } as Envelope;
  const forbidden = forbiddenKeyProblems(raw);
  if (forbidden.length) return fail(forbidden.map(describe), envelope);
  const reasons: string[] = [];
  if (raw.specversion !== '1.0') reasons.push('specversion must be "1.0"');
  if (typeof raw.id !== 'string' || raw.id.length === 0) reasons.push('id is required');
  if (typeof raw.source !== 'string' || raw.source.length === 0) reasons.push('source is required');
  if (typeof raw.type !== 'string' || raw.type.length === 0) reasons.push('type is required');
  if (raw.datacontenttype !== undefined && !/^application\/(.+\+)?json\b/.test(String(raw.datacontenttype))) reasons.push('datacontenttype must be JSON');
  if (reasons.length) return fail(reasons, envelope);
  try {
    new CloudEvent({ ...raw }, true); // the SDK's own spec checks (attribute names and formats)
  } catch (error) {
    const errs = (error as { errors?: Array<{ instancePath?: string; message?: string }> }).errors;
    return fail(errs?.length ? errs.map((e) => `${(e.instancePath ?? '').replace(/^\//, '') || 'event'}: ${e.message}`) : [(error as Error).message], envelope);
  }
  return toCommand(envelope, receivedAt);
}

/** A message from `workgate.events.<source>`: structured (JSON body) or binary (`ce-` headers, body = data). */
export function fromNatsMessage(headers: Record<string, string>, body: Uint8Array, receivedAt: string): Parsed {
  if (body.length > MAX_EVENT_BYTES) return fail([`the message is larger than ${MAX_EVENT_BYTES} bytes`]);
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return fail(['the message is not valid UTF-8']);
  }
  let parsed: unknown;
  try {
    parsed = text.length ? JSON.parse(text) : undefined;
  } catch (error) {
    return fail([`the body is not valid JSON: ${(error as Error).message}`]);
  }
  // Binary mode: the attributes are `ce-` headers (any case), the body is the data.
  let structured: Record<string, unknown> | undefined;
  for (const key in headers) {
    const k = key.toLowerCase();
    if (k.startsWith('ce-')) (structured ??= { data: parsed })[k.slice(3)] = headers[key];
  }
  return fromStructured(structured && structured.specversion !== undefined ? structured : parsed, receivedAt);
}

function toCommand(envelope: Envelope, receivedAt: string): Parsed {
  if (!isCloudEventType(envelope.type)) return fail([`unknown CloudEvent type "${envelope.type}" (known: ${Object.keys(CLOUD_EVENT_COMMANDS).join(', ')})`], envelope);
  const mapping = CLOUD_EVENT_COMMANDS[envelope.type];
  const subject = envelope.subject;
  if (typeof subject !== 'string' || subject.length === 0) {
    return fail(['subject is required: it is the work order\'s externalRef within source'], envelope);
  }
  if (envelope.time !== undefined && (typeof envelope.time !== 'string' || Number.isNaN(Date.parse(envelope.time)))) return fail(['time must be an RFC 3339 time'], envelope);
  const checked = validateDto(mapping.dto, envelope.data, { keysChecked: true }); // fromStructured checked the whole event
  if (!checked.ok) return fail(checked.problems.map((p) => `data${p.path ? `.${p.path}` : ''}: ${p.message}`), envelope);
  // The checked data has exactly the keys of the plain data (unknown keys are refused, nothing is
  // converted), so the plain JSON is used as is.
  const command = mapping.command(envelope.data, envelope.source, subject);
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

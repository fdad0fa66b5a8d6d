import {
  canonicalize,
  isPlainObject,
  isUuid,
  PreparedAppend,
  PreparedCommit,
  PreparedEvent,
  WorkgateError,
} from '@workgate/contracts';

export type { PreparedAppend, PreparedCommit, PreparedEvent };

export const MAX_EVENTS_PER_APPEND = 1000;
export const MAX_EVENT_BYTES = 1024 * 1024;
/** The JSON of one append, all events together: a group commit's JSON array parameters stay far below Postgres's 1 GB per value. */
export const MAX_APPEND_BYTES = 64 * 1024 * 1024;

const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

/** Whether a text can name a stream: only such streams are ever appended to. */
export const isStreamId = (value: unknown): value is string => typeof value === 'string' && STREAM_ID.test(value);
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.-]{0,199}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
// Postgres refuses unpaired surrogates in JSON, cannot give a NUL character back as text
// (`->>`), and a ledger's columns were `jsonb` before (which refuses both): refuse them here,
// per event, so one bad event never fails a whole group commit. An escape is a backslash that is
// not itself escaped: text holding a backslash then `u0000` (JSON `\\u0000`) is stored as it is.
const UNSTORABLE =
  /(?<=(?:^|[^\\])(?:\\\\)*)(?:\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2})/i;

function canonicalJson(value: unknown, where: string, problems: string[]): string {
  if (!isPlainObject(value)) {
    problems.push(`${where} must be a JSON object`);
    return '{}';
  }
  let json: string;
  try {
    json = canonicalize(value);
  } catch (error) {
    problems.push(`${where} is not valid JSON: ${(error as Error).message}`);
    return '{}';
  }
  // Both are written as \u escapes; almost no text holds one, and finding none is far cheaper than the pattern.
  if (json.includes('\\u') && UNSTORABLE.test(json))
    problems.push(`${where} contains a NUL character or an unpaired surrogate`);
  if (json.length > MAX_EVENT_BYTES) problems.push(`${where} is larger than ${MAX_EVENT_BYTES} bytes`);
  return json;
}

/** The last time normalised, and what it became: the events of a batch of commands share their time. */
let lastTime: { text: string; iso: string } | undefined;

/** An RFC 3339 time as `Date.toISOString` writes it (what the hash covers and Postgres gives back); undefined if it is none. */
function isoTime(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  if (lastTime?.text === text) return lastTime.iso;
  const ms = RFC3339.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) return undefined;
  lastTime = { text, iso: new Date(ms).toISOString() };
  return lastTime.iso;
}

const NO_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({});

/** Any object's properties read as unknown values (what arrived from outside is checked field by field). */
const hasFields = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null;

/** A request's fields as read from outside: an object's properties, none of anything else (null, a number). */
const fieldsOf = (value: unknown): Readonly<Record<string, unknown>> => (hasFields(value) ? value : NO_FIELDS);

/**
 * Checks an append request (an AppendRequest as it arrived: anything at all) and prepares its
 * events. Throws `invalid_event` listing every problem, or returns the request with canonical
 * JSON computed.
 */
export function prepareAppend(request: unknown): PreparedAppend {
  const problems: string[] = [];
  const req = fieldsOf(request);
  const streamId = isStreamId(req.streamId) ? req.streamId : undefined;
  if (streamId === undefined) {
    problems.push(
      'streamId must be 1-200 characters of letters, digits and _ . : @ - (starting with a letter or digit)',
    );
  }
  const ev = req.expectedVersion;
  let expectedVersion: number | 'any' = 'any';
  if (ev === 'no_stream') expectedVersion = 0;
  else if (ev === 'any') expectedVersion = 'any';
  else if (typeof ev === 'number' && Number.isSafeInteger(ev) && ev >= 0) expectedVersion = ev;
  else problems.push("expectedVersion must be a non-negative integer, 'any' or 'no_stream'");

  const events: PreparedEvent[] = [];
  const rawEvents = req.events;
  if (!Array.isArray(rawEvents) || rawEvents.length === 0) {
    problems.push('events must be a non-empty array');
  } else if (rawEvents.length > MAX_EVENTS_PER_APPEND) {
    problems.push(`events may hold at most ${MAX_EVENTS_PER_APPEND} events`);
  } else {
    const seen = new Set<string>();
    rawEvents.forEach((raw: unknown, i) => {
      const e = fieldsOf(raw);
      const where = `events[${i}]`;
      if (!isUuid(e.eventId)) problems.push(`${where}.eventId must be a UUID`);
      else if (seen.has(e.eventId.toLowerCase()))
        problems.push(`${where}.eventId repeats an earlier event of this append`);
      else seen.add(e.eventId.toLowerCase());
      if (typeof e.type !== 'string' || !EVENT_TYPE.test(e.type))
        problems.push(`${where}.type must be a name like WorkOrderOpened`);
      let occurredAt: string | undefined;
      if (e.occurredAt !== undefined) {
        occurredAt = isoTime(e.occurredAt);
        if (occurredAt === undefined) problems.push(`${where}.occurredAt must be an RFC 3339 time`);
      }
      events.push({
        eventId: typeof e.eventId === 'string' ? e.eventId.toLowerCase() : '',
        type: typeof e.type === 'string' ? e.type : '',
        canonicalData: canonicalJson(e.data, `${where}.data`, problems),
        canonicalMetadata: canonicalJson(e.metadata ?? {}, `${where}.metadata`, problems),
        occurredAt,
      });
    });
  }
  let bytes = 0;
  for (const e of events) bytes += e.canonicalData.length + e.canonicalMetadata.length;
  if (bytes > MAX_APPEND_BYTES)
    problems.push(`the events of one append may hold at most ${MAX_APPEND_BYTES} characters of JSON`);
  if (problems.length > 0 || streamId === undefined) {
    throw new WorkgateError('invalid_event', `append refused: ${problems[0]}`, problems);
  }
  return { streamId, expectedVersion, events, bytes };
}

/** One append as a commit of its own. */
export function commitOf(append: PreparedAppend): PreparedCommit {
  return { appends: [append], eventCount: append.events.length, bytes: append.bytes };
}

/**
 * Checks a commit (a CommitRequest as it arrived: a command's appends to several streams) and
 * prepares each append. Throws `invalid_event` listing every problem: of an append (named by its index), a stream named twice,
 * an event id used twice across the appends, more events or JSON than one append may hold.
 */
export function prepareCommit(request: unknown): PreparedCommit {
  const appends = fieldsOf(request).appends;
  if (!Array.isArray(appends) || appends.length === 0)
    throw new WorkgateError('invalid_event', 'commit refused: appends must be a non-empty array', [
      'appends must be a non-empty array',
    ]);
  const problems: string[] = [];
  const prepared: PreparedAppend[] = [];
  appends.forEach((a: unknown, i) => {
    try {
      prepared.push(prepareAppend(a));
    } catch (error) {
      const details = (error as WorkgateError).details ?? [(error as Error).message];
      problems.push(...details.map((d) => `appends[${i}]: ${String(d)}`));
    }
  });
  let eventCount = 0;
  let bytes = 0;
  for (const a of prepared) {
    eventCount += a.events.length;
    bytes += a.bytes;
  }
  // One append checked its own event ids; only appends to several streams can name one twice.
  if (prepared.length > 1) {
    const streams = new Set<string>();
    const eventIds = new Set<string>();
    for (const a of prepared) {
      if (streams.has(a.streamId)) problems.push(`stream ${a.streamId} appears in more than one append of the commit`);
      streams.add(a.streamId);
      for (const e of a.events) {
        if (eventIds.has(e.eventId))
          problems.push(`event id ${e.eventId} appears in more than one append of the commit`);
        eventIds.add(e.eventId);
      }
    }
  }
  if (eventCount > MAX_EVENTS_PER_APPEND)
    problems.push(`the appends of one commit may hold at most ${MAX_EVENTS_PER_APPEND} events`);
  if (bytes > MAX_APPEND_BYTES)
    problems.push(`the appends of one commit may hold at most ${MAX_APPEND_BYTES} characters of JSON`);
  if (problems.length > 0) throw new WorkgateError('invalid_event', `commit refused: ${problems[0]}`, problems);
  return { appends: prepared, eventCount, bytes };
}

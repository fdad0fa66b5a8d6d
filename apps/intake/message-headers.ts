import { JsMsg } from 'nats';

/** A message's headers as a plain record. */
export function headersOf(m: JsMsg): Record<string, string> {
  const headers: Record<string, string> = {};
  if (m.headers) for (const k of m.headers.keys()) headers[k] = m.headers.get(k);
  return headers;
}

/**
 * Whether a message's raw header block certainly holds no `ce-` header (any case): no line of it
 * starts with those three characters. Undefined when the message does not expose its raw bytes
 * (nats.js internals: `msg._rdata`, `msg._msg.hdr`), and the decoded headers must be asked.
 * Decoding them costs nats.js a check of every name, character by character, per message.
 */
function holdsNoCloudEventHeader(m: JsMsg): boolean | undefined {
  const inner: unknown = Reflect.get(m, 'msg');
  if (typeof inner !== 'object' || inner === null) return undefined;
  const raw: unknown = Reflect.get(inner, '_rdata');
  const msg: unknown = Reflect.get(inner, '_msg');
  const end: unknown = typeof msg === 'object' && msg !== null ? Reflect.get(msg, 'hdr') : undefined;
  if (!(raw instanceof Uint8Array) || typeof end !== 'number') return undefined;
  for (let i = 0; i + 3 < end; i++) {
    // '\n' then c/C, e/E, '-'
    if (raw[i] === 10 && (raw[i + 1] | 32) === 99 && (raw[i + 2] | 32) === 101 && raw[i + 3] === 45) return false;
  }
  return true;
}

/** The headers a CloudEvent is read from: all of them in binary mode (any `ce-` header), none otherwise (structured mode reads only the body). */
export function cloudEventHeaders(m: JsMsg): Record<string, string> {
  const none = holdsNoCloudEventHeader(m);
  if (none !== undefined) return none ? {} : headersOf(m);
  if (m.headers)
    for (const k of m.headers.keys()) if (k.length > 3 && k.slice(0, 3).toLowerCase() === 'ce-') return headersOf(m);
  return {};
}

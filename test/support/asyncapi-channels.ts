import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** docs/asyncapi.yaml as validators: for a subject, the payload schemas of its channel's messages; for a request, its replies'. */
export interface AsyncApiChannels {
  /** The channels whose address matches the subject (`{param}` = one token), with a validator of each message. */
  channelsOf(subject: string): Array<{ channel: string; messages: ValidateFunction[]; replies: ValidateFunction[] }>;
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const DOC_ID = 'asyncapi.yaml';

export function loadAsyncApiChannels(): AsyncApiChannels {
  const doc: unknown = parse(readFileSync(join(__dirname, '..', '..', 'docs', 'asyncapi.yaml'), 'utf8'));
  if (!isNode(doc) || !isNode(doc.channels) || !isNode(doc.operations)) throw new Error('not an AsyncAPI document');
  const channels = doc.channels;
  const operations = doc.operations;
  const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });

  /** The JSON pointer of a message's payload, from the message's place in a channel (inline or a $ref). */
  const payloadOf = (channel: string, key: string): ValidateFunction => {
    const node = channels[channel];
    const message = isNode(node) ? node.messages : undefined;
    const entry = isNode(message) ? message[key] : undefined;
    const pointer =
      isNode(entry) && typeof entry.$ref === 'string'
        ? `${entry.$ref}/payload`
        : `#/channels/${channel}/messages/${key}/payload`;
    return ajv.compile({ $ref: `${DOC_ID}${pointer}` });
  };
  const messageKeys = (channel: string): string[] => {
    const node = channels[channel];
    return isNode(node) && isNode(node.messages) ? Object.keys(node.messages) : [];
  };
  /** `#/channels/<channel>/messages/<key>` → [channel, key]. */
  const channelMessage = (ref: unknown): [string, string] | undefined => {
    const m = typeof ref === 'string' ? /^#\/channels\/([^/]+)\/messages\/([^/]+)$/.exec(ref) : null;
    return m ? [m[1], m[2]] : undefined;
  };
  const repliesOf = (channel: string): ValidateFunction[] =>
    Object.values(operations)
      .filter(isNode)
      .filter((op) => isNode(op.channel) && op.channel.$ref === `#/channels/${channel}` && isNode(op.reply))
      .flatMap((op) => {
        const reply = isNode(op.reply) && Array.isArray(op.reply.messages) ? op.reply.messages : [];
        return reply.flatMap((r: unknown) => {
          const found = isNode(r) ? channelMessage(r.$ref) : undefined;
          return found ? [payloadOf(found[0], found[1])] : [];
        });
      });

  const compiled = new Map<string, { messages: ValidateFunction[]; replies: ValidateFunction[] }>();
  const validatorsOf = (channel: string) => {
    let v = compiled.get(channel);
    if (!v) {
      v = { messages: messageKeys(channel).map((key) => payloadOf(channel, key)), replies: repliesOf(channel) };
      compiled.set(channel, v);
    }
    return v;
  };
  const matches = (address: string, subject: string): boolean => {
    const a = address.split('.');
    const s = subject.split('.');
    return a.length === s.length && a.every((t, i) => (/^\{[^}]+\}$/.test(t) ? s[i].length > 0 : t === s[i]));
  };
  return {
    channelsOf: (subject) =>
      Object.entries(channels)
        .filter(([, node]) => isNode(node) && typeof node.address === 'string' && matches(node.address, subject))
        .map(([channel]) => ({ channel, ...validatorsOf(channel) })),
  };
}

const texts = new WeakMap<object, string>();

/**
 * The JSON text of an answer. One that is frozen (a work order's handoff, shared by every read of
 * the same state in its thread) never changes: it is serialized once and the text kept with it,
 * not serialized again on every read. Send it with a JSON content type.
 */
export function sharedJson(value: object): string {
  if (!Object.isFrozen(value)) return JSON.stringify(value);
  let text = texts.get(value);
  if (text === undefined) texts.set(value, (text = JSON.stringify(value)));
  return text;
}

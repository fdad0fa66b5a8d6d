/* Building a page's elements, for every page of the gateway: text is set as text, never parsed as HTML. */

/** The first element that matches `selector`. */
export const $ = (selector) => document.querySelector(selector);

/**
 * An element with attributes and children. Attribute `text` sets its text, `class` its class and
 * `on<event>` a listener; `true` is an empty attribute, and `null`, `undefined` and `false` leave it
 * out. Children are elements or text (anything else is written as text); `null`, `undefined` and
 * `false` are skipped, arrays are flattened.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** The page's status line (`#status`): what it shows now, or what went wrong (`error`). */
export function status(text, error) {
  const el = $('#status');
  el.textContent = text;
  el.className = error ? 'error' : 'muted';
}

/** Hands `blob` to the browser as a download named `name`. */
export function download(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// @ts-check
/* Building a page's elements, for every page of the gateway: text is set as text, never parsed as HTML. */

/**
 * What `h` takes as an attribute: text, a number, `true` (an empty attribute), a listener for
 * `on<event>`; `null`, `undefined` and `false` leave it out.
 * @typedef {string | number | boolean | null | undefined | ((event: Event) => unknown)} Attribute
 */
/**
 * What `h` takes as a child: an element, text, a number, nothing (`null`, `undefined`, `false`), or a list of them.
 * @typedef {Node | string | number | boolean | null | undefined} Leaf
 * @typedef {Leaf | Leaf[]} Child
 */

/**
 * The first element that matches `selector`, of the class `type` (an HTMLFormElement, a
 * HTMLSelectElement…); a page without it is a page this code was not written for, and throws.
 * @template {Element} E
 * @param {string} selector
 * @param {new (...args: never[]) => E} type
 * @returns {E}
 */
export function $as(selector, type) {
  const el = document.querySelector(selector);
  if (el instanceof type) return el;
  throw new Error(`The page has no ${type.name} ${selector}.`);
}

/**
 * The control named `name` of `form`, of the class `type` (an HTMLInputElement, a HTMLSelectElement…).
 * @template {Element} E
 * @param {HTMLFormElement} form
 * @param {string} name
 * @param {new (...args: never[]) => E} type
 * @returns {E}
 */
export function fieldOf(form, name, type) {
  const el = form.elements.namedItem(name);
  if (el instanceof type) return el;
  throw new Error(`The form #${form.id} has no ${type.name} ${name}.`);
}

/**
 * What the control named `name` of `form` holds now (an input, a text area or a select).
 * @param {HTMLFormElement} form
 * @param {string} name
 */
export function valueOf(form, name) {
  const el = form.elements.namedItem(name);
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)
    return el.value;
  throw new Error(`The form #${form.id} has no control ${name}.`);
}

/**
 * Sets what the control named `name` of `form` holds (an input, a text area or a select).
 * @param {HTMLFormElement} form
 * @param {string} name
 * @param {string} value
 */
export function setValueOf(form, name, value) {
  const el = form.elements.namedItem(name);
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement)
    el.value = value;
  else throw new Error(`The form #${form.id} has no control ${name}.`);
}

/**
 * The first HTML element that matches `selector`.
 * @param {string} selector
 */
export const $ = (selector) => $as(selector, HTMLElement);

/**
 * An element with attributes and children. Attribute `text` sets its text, `class` its class and
 * `on<event>` a listener; `true` is an empty attribute, and `null`, `undefined` and `false` leave it
 * out. Children are elements or text (anything else is written as text); `null`, `undefined` and
 * `false` are skipped, arrays are flattened.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, Attribute> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') {
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else throw new Error(`${tag} attribute ${k}: a function is a listener, on<event>.`);
    } else if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/**
 * The page's status line (`#status`): what it shows now, or what went wrong (`error`).
 * @param {string} text
 * @param {boolean} [error]
 */
export function status(text, error) {
  const el = $('#status');
  el.textContent = text;
  el.className = error ? 'error' : 'muted';
}

/**
 * Hands `blob` to the browser as a download named `name`.
 * @param {Blob} blob
 * @param {string} name
 */
export function download(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

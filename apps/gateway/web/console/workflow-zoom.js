// @ts-check
/* Zoom and pan of the workflow map: the drawing fits its box by default (the whole map in view);
 * zooming and panning move the SVG's viewBox, so the drawing stays sharp and nodes keep their
 * click and keyboard handling. The arithmetic is pure (`zoomed`, `panned`, `viewBox`); `viewport`
 * binds it to the page's buttons, keys, wheel and pointer; `zoomBar` makes those buttons. */
import { h } from '../shared/dom.js';

/** How far one step zooms, and the bounds: the whole map (1) to eight times closer. */
export const ZOOM = { step: 1.25, min: 1, max: 8 };

/** @typedef {{ width: number, height: number }} Size */
/** @typedef {{ k: number, cx: number, cy: number }} View  k: zoom over the fit; cx, cy: the centre shown, in drawing units */

/** The whole drawing in view. @param {Size} size @returns {View} */
export const fitted = (size) => ({ k: 1, cx: size.width / 2, cy: size.height / 2 });

/**
 * `view` kept inside the drawing: the zoom within bounds, the centre where the shown part stays on the drawing.
 * @param {View} view
 * @param {Size} size
 * @returns {View}
 */
export function clamped(view, size) {
  const k = Math.min(ZOOM.max, Math.max(ZOOM.min, view.k));
  /** @param {number} n */
  const half = (n) => n / k / 2;
  /** @type {(c: number, n: number) => number} */
  const within = (c, n) => Math.min(n - half(n), Math.max(half(n), c));
  return { k, cx: within(view.cx, size.width), cy: within(view.cy, size.height) };
}

/**
 * `view` zoomed by `factor` about the point `at` (drawing units; the centre when absent), so the
 * point under the pointer stays under it.
 * @param {View} view
 * @param {number} factor
 * @param {Size} size
 * @param {{ x: number, y: number }} [at]
 */
export function zoomed(view, factor, size, at = { x: view.cx, y: view.cy }) {
  const k = Math.min(ZOOM.max, Math.max(ZOOM.min, view.k * factor));
  const r = view.k / k;
  return clamped({ k, cx: at.x + (view.cx - at.x) * r, cy: at.y + (view.cy - at.y) * r }, size);
}

/**
 * `view` moved by `dx`, `dy` drawing units.
 * @type {(view: View, dx: number, dy: number, size: Size) => View}
 */
export const panned = (view, dx, dy, size) => clamped({ ...view, cx: view.cx + dx, cy: view.cy + dy }, size);

/**
 * The SVG viewBox that shows `view`: `x y width height`.
 * @param {View} view
 * @param {Size} size
 */
export function viewBox(view, size) {
  const w = size.width / view.k;
  const h = size.height / view.k;
  return [view.cx - w / 2, view.cy - h / 2, w, h].map((n) => Math.round(n * 100) / 100).join(' ');
}

/** @type {Record<string, [number, number] | undefined>} */
const PAN_KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/**
 * Fits `svg` to `figure`'s width and binds zoom and pan: the buttons of `controls`, the keys
 * (`+`/`-` zoom, `0` fits, arrows pan) on the figure and anything in it, the wheel with Ctrl (or a
 * pinch) to zoom and without it to pan once zoomed in, and a drag of the pointer.
 * @param {SVGSVGElement} svg
 * @param {HTMLElement} figure
 * @param {{ zoomIn: HTMLButtonElement, zoomOut: HTMLButtonElement, fit: HTMLButtonElement, level: HTMLElement }} controls
 */
export function viewport(svg, figure, controls) {
  const size = { width: Number(svg.getAttribute('width')), height: Number(svg.getAttribute('height')) };
  svg.setAttribute('width', '100%');
  svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  let view = fitted(size);
  /** @param {View} next */
  const show = (next) => {
    view = next;
    svg.setAttribute('viewBox', viewBox(view, size));
    svg.dataset.zoom = String(view.k);
    controls.level.textContent = `${Math.round(view.k * 100)}%`;
    controls.zoomOut.disabled = view.k <= ZOOM.min;
    controls.zoomIn.disabled = view.k >= ZOOM.max;
    controls.fit.disabled = view.k === 1;
    figure.classList.toggle('zoomed', view.k > 1);
  };
  /** Drawing units per screen pixel at the current zoom. */
  const unit = () => size.width / view.k / Math.max(1, svg.getBoundingClientRect().width);
  /** @param {MouseEvent} event */
  const pointAt = (event) => {
    const r = svg.getBoundingClientRect();
    const u = unit();
    return {
      x: view.cx + (event.clientX - r.left - r.width / 2) * u,
      y: view.cy + (event.clientY - r.top - r.height / 2) * u,
    };
  };
  controls.zoomIn.addEventListener('click', () => show(zoomed(view, ZOOM.step, size)));
  controls.zoomOut.addEventListener('click', () => show(zoomed(view, 1 / ZOOM.step, size)));
  controls.fit.addEventListener('click', () => show(fitted(size)));
  figure.addEventListener('keydown', (event) => {
    if (event.altKey || event.metaKey || event.ctrlKey) return;
    const pan = PAN_KEYS[event.key];
    if (event.key === '+' || event.key === '=') show(zoomed(view, ZOOM.step, size));
    else if (event.key === '-' || event.key === '_') show(zoomed(view, 1 / ZOOM.step, size));
    else if (event.key === '0') show(fitted(size));
    else if (pan) show(panned(view, pan[0] * 60 * unit(), pan[1] * 60 * unit(), size));
    else return;
    event.preventDefault();
  });
  figure.addEventListener(
    'wheel',
    (event) => {
      if (event.ctrlKey) show(zoomed(view, Math.exp(-event.deltaY / 300), size, pointAt(event)));
      else if (view.k > 1) show(panned(view, event.deltaX * unit(), event.deltaY * unit(), size));
      else return;
      event.preventDefault();
    },
    { passive: false },
  );
  /** @type {{ x: number, y: number, moved: boolean } | null} */
  let drag = null;
  let dragged = false;
  svg.addEventListener('pointerdown', (event) => {
    dragged = false;
    if (event.button === 0) drag = { x: event.clientX, y: event.clientY, moved: false };
  });
  // The click that ends a drag selects nothing.
  svg.addEventListener('click', (event) => dragged && event.stopImmediatePropagation(), { capture: true });
  window.addEventListener('pointermove', (event) => {
    if (!drag || !svg.isConnected) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag = { x: event.clientX, y: event.clientY, moved: true };
    figure.classList.add('dragging');
    show(panned(view, -dx * unit(), -dy * unit(), size));
  });
  window.addEventListener('pointerup', () => {
    dragged = Boolean(drag?.moved);
    drag = null;
    figure.classList.remove('dragging');
  });
  show(view);
  return {
    get view() {
      return view;
    },
  };
}

/**
 * The bar above the map: zoom out, the level, zoom in, fit, how to move; with failure points
 * (`ranked`), the legend of their tags, which rank places in the list beside the map, not steps.
 * @param {boolean} ranked
 */
export function zoomBar(ranked) {
  /** @type {(text: string, label: string) => HTMLButtonElement} */
  const zoomButton = (text, label) =>
    h('button', { type: 'button', class: 'quiet', text, 'aria-label': label, title: label });
  const controls = {
    zoomOut: zoomButton('−', 'Zoom out'),
    level: h('span', { class: 'muted zoom-level', 'aria-live': 'polite', text: '100%' }),
    zoomIn: zoomButton('+', 'Zoom in'),
    fit: zoomButton('Fit', 'Fit the map to its box'),
  };
  const toolbar = h(
    'div',
    { class: 'map-toolbar', role: 'toolbar', 'aria-label': 'Zoom the map' },
    controls.zoomOut,
    controls.level,
    controls.zoomIn,
    controls.fit,
    h('span', { class: 'muted note', text: 'Drag or use the arrow keys to move; Ctrl + wheel zooms.' }),
    ranked
      ? h(
          'span',
          { class: 'rank-legend note' },
          h('span', { class: 'rank-tag', text: '#1 blocked' }),
          ' rank in “Where work stalls or fails”, not step order',
        )
      : null,
  );
  return { controls, toolbar };
}

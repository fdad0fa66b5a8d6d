// @ts-check
/* What the workflows page and the designer both draw a map with: ELK (the layout engine, loaded once),
 * the width of a text in the drawing's fonts, and fitting a drawing to its box. */
import { h } from '../shared/dom.js';
import { FONTS } from './workflow-svg.js';

/** @typedef {import('elkjs/lib/elk-api').ELK} Elk */

/** @type {Promise<Elk> | null} */
let elk = null;
/** ELK, loaded once on the first map shown: a script of this origin, no worker, nothing evaluated. */
export function layoutEngine() {
  elk ??= new Promise((resolve, reject) => {
    const script = h('script', { src: '/console/elk.bundled.js' });
    script.addEventListener('load', () => resolve(new window.ELK()));
    script.addEventListener('error', () => {
      elk = null;
      reject(new Error('The layout library did not load; the table below still lists every node.'));
    });
    document.head.append(script);
  });
  return elk;
}

/** @type {CanvasRenderingContext2D | null | undefined} */
let canvas;
/**
 * The width of `text` in the font the drawing uses for `kind` (label, kind line, badge, edge label).
 * @param {string} text
 * @param {keyof typeof FONTS} kind
 */
export function measure(text, kind) {
  canvas ??= document.createElement('canvas').getContext('2d');
  if (!canvas) return text.length * 7;
  canvas.font = FONTS[kind];
  return canvas.measureText(text).width;
}

/**
 * Narrows a drawing a little wider than its box to the box's width; a much wider one scrolls, its
 * text kept readable (the designer's preview).
 * @param {SVGSVGElement} svg
 * @param {HTMLElement} figure
 */
export function fit(svg, figure) {
  const natural = Number(svg.getAttribute('width'));
  const room = figure.clientWidth - 2;
  if (natural <= room || room / natural < 0.72) return;
  svg.setAttribute('width', String(room));
  svg.setAttribute('height', String(Math.ceil((Number(svg.getAttribute('height')) * room) / natural)));
}

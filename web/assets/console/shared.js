/** What the console's sections share: the session, the API on its token, the redraw, small helpers. */
import { requestJson } from '../page.js';

export const TYPES = ['survival', 'growth', 'development', 'ineligible'];
/** The chart's colours, one per type, each with a contrast of at least 3:1 against white. */
export const COLOURS = { survival: '#8a5a00', growth: '#1c6b2a', development: '#0b4f9c', ineligible: '#5c5c5c' };

/** The signed-in regulator's claims (null: nobody) and the section shown. */
export const session = { claims: null, section: 'overview' };

let redrawAll = () => {};
/** Draws the whole console again (after a load, or a language switch). */
export const redraw = () => redrawAll();
/** Sets what `redraw` draws. */
export function onRedraw(fn) {
  redrawAll = fn;
}

export const token = () => sessionStorage.getItem('getihu.token');
export const api = (method, path, body) => requestJson(method, path, { token: token(), body });

/** An element `tag`, with its text and class when given. */
export function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className !== undefined) e.className = className;
  return e;
}

/** A value the API gives as an object (a criterion's evidence, a job's result), as `key: value · …`. */
export function readable(value) {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  return Object.entries(value)
    .map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(' · ');
}

/**
 * What the pages share: their elements by id, the reader's language and its switch, a status line
 * whose message follows the language, and the gateway's API as JSON.
 */
import { language, translate, word } from './i18n.js';

let lang = language();
/** The status line's message, as a function of the language, so a switch redraws it. */
let status = () => '';

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A word in the reader's language. */
export const t = (key) => word(lang, key);

/** A label and its value, with the language's colon: 查询结果：5, Results: 5. */
export const labelled = (key, value) => `${t(key)}${lang === 'zh' ? '：' : ': '}${value}`;

/**
 * A table cell holding `content` (text or an element), labelled with the word for its column: the
 * label is shown before the value where the table's head is hidden (a phone's width).
 */
export function cell(labelKey, content) {
  const td = document.createElement('td');
  td.append(content);
  td.dataset.label = t(labelKey);
  return td;
}

/**
 * A token's claims, read for display only (whose jurisdiction, which business): the gateway checks
 * the token on every request. Null when it is not a JWT.
 */
export function tokenClaims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

/** Today in China (YYYY-MM-DD), the day the gateway bounds every date by. */
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

/** A time the API gives (ISO, UTC) as the reader in China reads it: YYYY-MM-DD HH:mm:ss, China time. */
export function chinaTime(iso) {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'medium' }).format(
    new Date(iso),
  );
}

/** Says in the status line that something failed, with the gateway's message. */
export const fail = (err) => say(() => t('failed') + err.message);

/** A form control with its visible label around it. */
export function field(label, control) {
  const wrap = document.createElement('label');
  wrap.className = 'field';
  const text = document.createElement('span');
  text.textContent = label;
  wrap.append(text, control);
  return wrap;
}

/** Says `message` (a function of nothing, called again after a language switch) in the status line. */
export function say(message) {
  status = message;
  $('status').textContent = status();
}

/**
 * Asks the gateway; answers the JSON body, or throws an Error with the gateway's message and the
 * HTTP status (`status`).
 */
export async function requestJson(method, path, o = {}) {
  const res = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }),
      ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(answer.error?.message ?? res.statusText), { status: res.status });
  return answer;
}

/** Draws the page in the reader's language now and after every switch (the #lang button), status line included. */
export function drawInLanguage(draw) {
  const redraw = () => {
    translate(document, lang);
    draw();
    $('status').textContent = status();
  };
  $('lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('getihu.lang', lang);
    redraw();
  });
  redraw();
}

/**
 * The public register page: search by name (two characters or more) or by credit code, and a
 * business's type, typing date and 名特优新 recognition with its validity, from the gateway's public
 * API (/v1/public/…), with no account.
 */
import { language, translate, word } from './i18n.js';

const CREDIT_CODE = /^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$/;
let lang = language();
/** What is shown, so a change of language redraws it. */
let shown = { results: null, business: null };

const $ = (id) => document.getElementById(id);

function typeText(b) {
  return b.type === null ? word(lang, 'notTyped') : word(lang, b.type);
}

function say(text) {
  $('status').textContent = text;
}

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.error?.message ?? res.statusText), { status: res.status });
  return body;
}

function drawResults() {
  const results = shown.results;
  const body = $('results').querySelector('tbody');
  body.replaceChildren();
  if (results === null) {
    $('results').hidden = true;
    return;
  }
  for (const b of results) {
    const row = document.createElement('tr');
    for (const text of [b.name ?? '', b.creditCode, b.region ?? '', typeText(b)]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    const cell = document.createElement('td');
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = word(lang, 'details');
    open.setAttribute('aria-label', `${word(lang, 'details')}: ${b.name ?? b.creditCode}`);
    open.addEventListener('click', () => showBusiness(b.creditCode));
    cell.append(open);
    row.append(cell);
    body.append(row);
  }
  $('results').hidden = results.length === 0;
}

function drawBusiness() {
  const b = shown.business;
  $('business').hidden = b === null;
  if (b === null) return;
  $('business-name').textContent = b.name ?? b.creditCode;
  $('b-code').textContent = b.creditCode;
  $('b-region').textContent = b.region ?? '';
  $('b-type').textContent = typeText(b);
  $('b-asof').textContent = b.asOf ?? '';
  $('b-recognition').textContent =
    b.recognition === null
      ? word(lang, 'none')
      : `${word(lang, b.recognition.category)} · ${word(lang, 'validUntil')} ${b.recognition.validUntil}`;
}

async function showBusiness(code) {
  try {
    shown.business = await getJson(`/v1/public/businesses/${encodeURIComponent(code)}`);
    drawBusiness();
    $('business').focus();
  } catch (err) {
    say(word(lang, 'failed') + err.message);
  }
}

async function search(q) {
  shown = { results: null, business: null };
  drawResults();
  drawBusiness();
  if (CREDIT_CODE.test(q.toUpperCase())) {
    say('');
    try {
      shown.business = await getJson(`/v1/public/businesses/${q.toUpperCase()}`);
      drawBusiness();
    } catch (err) {
      say(err.status === 404 ? word(lang, 'noResults') : word(lang, 'failed') + err.message);
    }
    return;
  }
  if ([...q].length < 2) return say(word(lang, 'tooShort'));
  try {
    const { results } = await getJson(`/v1/public/search?name=${encodeURIComponent(q)}`);
    shown.results = results;
    drawResults();
    say(results.length === 0 ? word(lang, 'noResults') : `${word(lang, 'results')}: ${results.length}`);
  } catch (err) {
    say(word(lang, 'failed') + err.message);
  }
}

function redraw() {
  translate(document, lang);
  drawResults();
  drawBusiness();
}

$('search').addEventListener('submit', (e) => {
  e.preventDefault();
  void search($('q').value.trim());
});
$('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('getihu.lang', lang);
  redraw();
});
redraw();

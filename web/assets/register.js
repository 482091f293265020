/**
 * The public register page: search by name (two characters or more) or by credit code, and a
 * business's type, typing date and 名特优新 recognition with its validity, from the gateway's public
 * API (/v1/public/…), with no account; the business's own part (disputes, authorisations) is
 * ./owner.js.
 */
import { draw as drawOwner, resume } from './owner.js';
import { $, cell, drawInLanguage, fail, labelled, requestJson, say, t } from './page.js';

const CREDIT_CODE = /^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$/;
/** What is shown, so a change of language redraws it. */
let shown = { results: null, business: null };

function typeText(b) {
  return b.type === null ? t('notTyped') : t(b.type);
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
    const columns = [
      ['name', b.name ?? ''],
      ['creditCode', b.creditCode],
      ['region', b.region ?? ''],
      ['type', typeText(b)],
    ];
    for (const [key, text] of columns) row.append(cell(key, text));
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = t('details');
    open.setAttribute('aria-label', labelled('details', b.name ?? b.creditCode));
    open.addEventListener('click', () => showBusiness(b.creditCode));
    const opens = document.createElement('td');
    opens.append(open);
    row.append(opens);
    body.append(row);
  }
  $('results').hidden = results.length === 0;
}

function drawBusiness() {
  const b = shown.business;
  $('business').hidden = b === null;
  drawOwner(b);
  if (b === null) return;
  $('business-name').textContent = b.name ?? b.creditCode;
  $('b-code').textContent = b.creditCode;
  $('b-region').textContent = b.region ?? '';
  $('b-type').textContent = typeText(b);
  $('b-asof').textContent = b.asOf ?? '';
  $('b-recognition').textContent =
    b.recognition === null ? t('none') : `${t(b.recognition.category)} · ${t('validUntil')} ${b.recognition.validUntil}`;
}

async function showBusiness(code) {
  try {
    shown.business = await requestJson('GET', `/v1/public/businesses/${encodeURIComponent(code)}`);
    drawBusiness();
    resume();
    $('business').focus();
  } catch (err) {
    fail(err);
  }
}

async function search(q) {
  shown = { results: null, business: null };
  drawResults();
  drawBusiness();
  if (CREDIT_CODE.test(q.toUpperCase())) {
    say(() => '');
    try {
      shown.business = await requestJson('GET', `/v1/public/businesses/${q.toUpperCase()}`);
      drawBusiness();
      resume();
    } catch (err) {
      say(() => (err.status === 404 ? t('noResults') : t('failed') + err.message));
    }
    return;
  }
  if ([...q].length < 2) return say(() => t('tooShort'));
  try {
    const { results } = await requestJson('GET', `/v1/public/search?name=${encodeURIComponent(q)}`);
    shown.results = results;
    drawResults();
    say(() => (results.length === 0 ? t('noResults') : labelled('results', results.length)));
  } catch (err) {
    fail(err);
  }
}

$('search').addEventListener('submit', (e) => {
  e.preventDefault();
  void search($('q').value.trim());
});
drawInLanguage(() => {
  drawResults();
  drawBusiness();
});

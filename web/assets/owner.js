/**
 * The business's own part of its register page: its operator proves who it is with the
 * business's access token (subject = its credit code, issued after the identity provider's
 * check; kept for the tab only), then files a dispute over its type or a 名特优新 outcome and
 * reads the replies, and grants a bank the reading of more than is published — for one purpose,
 * until a day — or revokes it. The gateway refuses a token of another business.
 */
import { $, cell, chinaTime, fail, labelled, requestJson, say, t, today, tokenClaims } from './page.js';

const KEY = 'getihu.owner';
/** The business shown, the one signed in for (if it is that one), and what it filed and granted. */
let business = null;
let signedIn = null;
let disputes = [];
let consents = [];

const token = () => sessionStorage.getItem(KEY);
const api = (method, path, body) => requestJson(method, path, { token: token(), body });

/** The subject of a token (display only: the gateway checks the token on every request). */
const subjectOf = (jwt) => tokenClaims(jwt)?.sub ?? null;

/** A day a year from today, the furthest an authorisation may hold. */
function aYearAhead() {
  const d = new Date(`${today()}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

async function load() {
  const code = encodeURIComponent(business.creditCode);
  try {
    disputes = (await api('GET', `/v1/disputes?creditCode=${code}`)).disputes;
    consents = (await api('GET', `/v1/consents?creditCode=${code}`)).consents;
    signedIn = business.creditCode;
  } catch (err) {
    signedIn = null;
    fail(err);
  }
  draw();
}

function revokeButton(c) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = t('revoke');
  b.setAttribute('aria-label', labelled('revoke', `${c.bank} · ${t(`purpose.${c.purpose}`)}`));
  b.addEventListener('click', async () => {
    try {
      await api('DELETE', `/v1/consents/${encodeURIComponent(c.id)}`);
      say(() => labelled('revoked', c.bank));
      await load();
    } catch (err) {
      fail(err);
    }
  });
  return b;
}

/** Draws the business's own part for `b` (the business shown; null: none). */
export function draw(b = business) {
  business = b;
  const mine = b !== null && signedIn === b.creditCode;
  $('owner-signin').hidden = mine;
  $('owner-actions').hidden = !mine;
  if (!mine) return;
  const rows = $('my-disputes').querySelector('tbody');
  rows.replaceChildren();
  for (const d of disputes) {
    const tr = document.createElement('tr');
    const status = `${t(`dispute.${d.status}`)}${d.status === 'open' && d.respondBy !== null ? ` · ${labelled('respondBy', d.respondBy)}` : ''}`;
    tr.append(
      cell('filedAt', chinaTime(d.filedAt).slice(0, 10)),
      cell('claim', d.claim),
      cell('state', status),
      cell('reply', d.reply ?? ''),
    );
    rows.append(tr);
  }
  const granted = $('my-consents').querySelector('tbody');
  granted.replaceChildren();
  for (const c of consents) {
    const tr = document.createElement('tr');
    // A revoked authorisation stays listed, with the day it ended.
    const revoke = document.createElement('td');
    revoke.append(c.revokedAt === null ? revokeButton(c) : labelled('revoked', c.revokedAt.slice(0, 10)));
    tr.append(
      cell('consentBank', c.bank),
      cell('consentPurpose', t(`purpose.${c.purpose}`)),
      cell('consentScope', c.scope.map((s) => t(`scope.${s}`)).join('、')),
      cell('validUntil', c.expiresOn),
      revoke,
    );
    granted.append(tr);
  }
  $('consent-until').max = aYearAhead();
  $('consent-until').min = today();
  if ($('consent-until').value === '') $('consent-until').value = aYearAhead();
}

$('owner-signin').addEventListener('submit', (e) => {
  e.preventDefault();
  const jwt = $('owner-token').value.trim();
  $('owner-token').value = '';
  if (business === null || subjectOf(jwt) !== business.creditCode) {
    say(() => t('notThisBusiness'));
    return;
  }
  sessionStorage.setItem(KEY, jwt);
  void load();
});
$('owner-signout').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  signedIn = null;
  disputes = consents = [];
  draw();
});
$('dispute-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const subject = $('dispute-subject').value;
  try {
    const filed = await api('POST', '/v1/disputes', {
      creditCode: business.creditCode,
      subject,
      claim: $('dispute-claim').value,
      ...(subject === 'mtyx' ? { year: Number($('dispute-year').value) } : {}),
    });
    $('dispute-claim').value = '';
    say(() => labelled('disputeFiled', filed.respondBy ?? ''));
    await load();
  } catch (err) {
    fail(err);
  }
});
$('consent-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const scope = [...$('consent-form').querySelectorAll('input[name="scope"]:checked')].map((x) => x.value);
  try {
    const c = await api('POST', '/v1/consents', {
      creditCode: business.creditCode,
      bank: $('consent-bank').value.trim(),
      purpose: $('consent-purpose').value,
      scope,
      expiresOn: $('consent-until').value,
    });
    say(() => labelled('granted', `${c.bank} · ${c.expiresOn}`));
    await load();
  } catch (err) {
    fail(err);
  }
});
// A tab that signed in before goes on for the business it signed in for, once that one is shown.
export function resume() {
  const jwt = token();
  if (jwt !== null && business !== null && subjectOf(jwt) === business.creditCode && signedIn !== business.creditCode)
    void load();
}

/** The console's disputes: the open ones of the jurisdiction by the day the reply is due, each resolved with a reply the business reads. */
import { $, cell, fail, field, labelled, say, t } from '../page.js';
import { api, el, redraw, TYPES } from './shared.js';

let disputes = [];

export async function loadDisputes() {
  try {
    const page = await api('GET', '/v1/regulator/disputes?status=open&limit=500');
    disputes = page.disputes.sort((a, b) => ((a.respondBy ?? '9999') < (b.respondBy ?? '9999') ? -1 : 1));
    redraw();
    say(() => labelled('openDisputes', disputes.length));
  } catch (err) {
    fail(err);
  }
}

function resolveForm(d) {
  const form = el('form', undefined, 'record');
  const outcome = el('select');
  for (const o of ['uphold', 'adjust']) outcome.append(new Option(t(`outcome.${o}`), o));
  const type = el('select');
  for (const k of TYPES) type.append(new Option(t(k), k));
  const reply = el('textarea');
  reply.required = true;
  reply.maxLength = 2000;
  reply.rows = 2;
  const save = el('button', t('resolve'));
  save.type = 'submit';
  save.setAttribute('aria-label', labelled('resolve', d.creditCode));
  const typeField = field(t('type'), type);
  typeField.hidden = true;
  outcome.addEventListener('change', () => {
    typeField.hidden = outcome.value !== 'adjust';
  });
  if (d.subject === 'mtyx') outcome.options[1].disabled = true;
  form.append(field(t('outcome'), outcome), typeField, field(t('reply'), reply), save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', `/v1/regulator/disputes/${encodeURIComponent(d.id)}/resolve`, {
        outcome: outcome.value,
        reason: reply.value,
        ...(outcome.value === 'adjust' ? { type: type.value } : {}),
      });
      disputes = disputes.filter((x) => x !== d);
      redraw();
      const done = outcome.value;
      say(() => `${t('resolved')}${d.creditCode} · ${t(`outcome.${done}`)}`);
    } catch (err) {
      fail(err);
    }
  });
  return form;
}

export function drawDisputes() {
  const body = $('disputes').querySelector('tbody');
  body.replaceChildren();
  for (const d of disputes) {
    const tr = el('tr');
    const claim = el('div');
    claim.append(el('div', d.claim), el('div', d.subject === 'mtyx' ? `名特优新 ${d.year}` : t('type'), 'small'));
    const act = el('td');
    act.append(resolveForm(d));
    tr.append(
      cell('respondBy', `${d.respondBy ?? ''}${d.overdue ? ` (${t('overdue')})` : ''}`),
      cell('creditCode', d.creditCode),
    );
    tr.append(cell('claim', claim), act);
    body.append(tr);
  }
}

/** The console's business page: a decision explained criterion by criterion, its history and its support measures. */
import { $, cell, fail, labelled, say, t } from '../page.js';
import { api, el, readable, redraw } from './shared.js';

let explained = null;

/** Forgets what was read (on signing out). */
export function resetBusiness() {
  explained = null;
}

export async function loadBusiness(code) {
  try {
    explained = await api('GET', `/v1/regulator/decisions/${encodeURIComponent(code)}`);
    redraw();
    say(() => labelled('type', t(explained.decision.type)));
  } catch (err) {
    explained = null;
    redraw();
    fail(err);
  }
}

export function drawBusiness() {
  const box = $('explanation');
  box.replaceChildren();
  if (explained === null) return;
  const d = explained.decision;
  box.append(
    el('p', `${labelled('type', t(d.type))} · ${labelled('asOf', d.asOf)} · ${labelled('ruleset', d.ruleset)}`),
    el('p', labelled('standing', explained.standing.by === 'dispute' ? t('byDispute') : t('byRun')), 'small'),
  );
  const table = el('table');
  table.append(el('caption', t('criteria')));
  const head = el('tr');
  for (const k of ['criterion', 'met', 'evidence', 'clause']) {
    const th = el('th', t(k));
    th.scope = 'col';
    head.append(th);
  }
  table.append(el('thead'));
  table.tHead.append(head);
  const body = el('tbody');
  for (const r of Array.isArray(d.reasons) ? d.reasons : []) {
    const tr = el('tr');
    tr.append(
      cell('criterion', r.criterion),
      cell('met', r.met ? t('yes') : t('no')),
      cell('evidence', readable(r.evidence)),
      cell('clause', r.clause ?? ''),
    );
    body.append(tr);
  }
  table.append(body);
  box.append(table, el('p', labelled('sources', (d.sources ?? []).join(', ')), 'small'));
  const history = el('ul');
  for (const h of explained.history ?? []) history.append(el('li', `${h.asOf} · ${t(h.type)} · ${h.ruleset}`));
  box.append(el('h3', t('history')), history);
  const measures = el('ul');
  for (const m of explained.support?.measures ?? []) measures.append(el('li', `${m.title} — ${m.clause}`));
  box.append(el('h3', t('measures')), measures);
}

/** The console's audit log: newest first, a page at a time, verified against the signed checkpoints. */
import { $, cell, chinaTime, fail, labelled, t } from '../page.js';
import { api, el, redraw } from './shared.js';

let audit = { entries: [], next: null, verified: null };

/** The cursor of the page before the one shown (null: none). */
export const older = () => audit.next?.before;

export async function loadAudit(before) {
  try {
    const page = await api('GET', `/v1/regulator/audit?limit=20${before === undefined ? '' : `&before=${before}`}`);
    audit = { ...audit, entries: page.entries, next: page.next };
    redraw();
  } catch (err) {
    fail(err);
  }
}

export async function verifyAudit() {
  try {
    audit = { ...audit, verified: await api('GET', '/v1/regulator/audit/verify') };
    redraw();
  } catch (err) {
    fail(err);
  }
}

export function drawAudit() {
  const body = $('audit-rows');
  body.replaceChildren();
  for (const a of audit.entries) {
    const tr = el('tr');
    tr.append(
      cell('seq', String(a.seq)),
      cell('at', chinaTime(a.at)),
      cell('subject', `${a.subject} (${a.role})`),
      cell('action', a.action),
      cell('creditCode', a.creditCode ?? ''),
      cell('outcome', a.outcome),
    );
    body.append(tr);
  }
  $('audit-next').disabled = audit.next === null;
  const v = audit.verified;
  $('audit-verified').textContent =
    v === null ? '' : labelled('verification', `${t(`verify.${v.status}`)} (${v.entries} / ${v.checkpoints})`);
}

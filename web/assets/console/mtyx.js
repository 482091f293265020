/**
 * The console's 名特优新 section: the year's candidates of the jurisdiction, ordered by the review
 * step each waits for (走访核实, 征求意见, 信息公示), with the steps on file, the round's last day
 * and the last day a notice may start; a step recorded from here (POST /v1/regulator/review-steps)
 * moves the candidate once it is on file. Below, the recognitions ending within 90 days, those
 * revoked or cancelled with why, the recognitions filed with the level above (备案) and their
 * review, and the quota per unit it is counted in: limit, held, recognised this year.
 */
import { $, cell, fail, field, labelled, say, t, today } from '../page.js';
import { monitoring } from './overview.js';
import { api, el, redraw, session } from './shared.js';

/** The order of the steps, as the texts list them; a candidate with none left comes last. */
const ORDER = ['verification', 'consultation', 'notice', null];
/** The outcomes each step may record. */
const OUTCOMES = { verification: ['passed', 'failed'], consultation: ['noObjection', 'objection'], notice: ['published'] };

let shown = { year: null, candidates: [], filings: [], recognitions: [] };
/** How far ahead a recognition's last day counts as ending soon. */
const SOON_DAYS = 90;

const area = () => monitoring()?.area ?? session.claims.region;

export async function loadMtyx() {
  const year = $('mtyx-year').value;
  try {
    const [c, f, r] = await Promise.all([
      api('GET', `/v1/regulator/candidates?area=${area()}&year=${year}`),
      api('GET', `/v1/regulator/filings?area=${area()}&year=${year}`),
      api('GET', `/v1/regulator/recognitions?area=${area()}`),
    ]);
    shown = { year: Number(year), candidates: c.candidates, filings: f.recognitions, recognitions: r.recognitions };
    redraw();
    say(() => labelled('candidates', shown.candidates.length));
  } catch (err) {
    fail(err);
  }
}

/** Asks again until the candidate's steps on file change (the step goes through the bus first). */
async function untilMoved(code, stepsBefore) {
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 250));
    await loadMtyx();
    const c = shown.candidates.find((x) => x.creditCode === code);
    if (c === undefined || c.steps.length !== stepsBefore) return;
  }
}

function recordForm(c) {
  const form = el('form', undefined, 'record');
  const kind = el('select');
  for (const k of Object.keys(OUTCOMES)) kind.append(new Option(t(`step.${k}`), k));
  kind.value = c.next ?? 'notice';
  const outcome = el('select');
  const on = el('input');
  on.type = 'date';
  on.required = true;
  on.max = today();
  // Today, or the round's last day if it is past (ISO dates sort as days).
  on.value = [today(), c.decideBy].sort()[0];
  const until = el('input');
  until.type = 'date';
  const untilField = field(t('until'), until);
  const fill = () => {
    outcome.replaceChildren(...OUTCOMES[kind.value].map((o) => new Option(t(`stepOutcome.${o}`), o)));
    untilField.hidden = kind.value !== 'notice';
    until.required = kind.value === 'notice';
  };
  kind.addEventListener('change', fill);
  fill();
  const save = el('button', t('save'));
  save.type = 'submit';
  save.setAttribute('aria-label', labelled('recordStep', c.creditCode));
  form.append(field(t('step'), kind), field(t('on'), on), untilField, field(t('outcome'), outcome), save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const step = {
      creditCode: c.creditCode,
      year: shown.year,
      step: kind.value,
      stepId: `${kind.value}-${on.value}`,
      on: on.value,
      ...(kind.value === 'notice' ? { until: until.value } : {}),
      outcome: outcome.value,
    };
    try {
      const receipt = await api('POST', '/v1/regulator/review-steps', { batchId: `console-${Date.now()}`, steps: [step] });
      if (receipt.rejected > 0) throw new Error(receipt.outcomes?.[0]?.reason ?? t('stepRejected'));
      await untilMoved(c.creditCode, c.steps.length);
      say(() => `${t('stepRecorded')}${c.creditCode} · ${t(`step.${step.step}`)}`);
    } catch (err) {
      fail(err);
    }
  });
  return form;
}

/** The level above's review of a filed recognition: confirmed, more material by a day, or refused. */
function filingForm(f) {
  const form = el('form', undefined, 'record');
  const outcome = el('select');
  for (const o of ['confirmed', 'supplement', 'refused']) outcome.append(new Option(t(`filing.${o}`), o));
  const by = el('input');
  by.type = 'date';
  const byField = field(t('supplementBy'), by);
  const fill = () => {
    byField.hidden = outcome.value !== 'supplement';
    by.required = outcome.value === 'supplement';
  };
  outcome.addEventListener('change', fill);
  fill();
  const note = el('input');
  note.required = true;
  note.maxLength = 500;
  const save = el('button', t('save'));
  save.type = 'submit';
  save.setAttribute('aria-label', labelled('filingReview', f.creditCode));
  form.append(field(t('outcome'), outcome), byField, field(t('note'), note), save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', `/v1/regulator/recognitions/${encodeURIComponent(f.creditCode)}/filing-review`, {
        outcome: outcome.value,
        note: note.value,
        ...(outcome.value === 'supplement' ? { supplementBy: by.value } : {}),
      });
      const done = outcome.value;
      say(() => `${labelled('filingReview', f.creditCode)} · ${t(`filing.${done}`)}`);
      await loadMtyx();
    } catch (err) {
      fail(err);
    }
  });
  return form;
}

function stepsText(c) {
  return c.steps
    .map((s) => `${s.on} ${t(`step.${s.step}`)}：${t(`stepOutcome.${s.outcome}`)}${s.until ? `–${s.until}` : ''}`)
    .join('；');
}

export function drawMtyx() {
  // The quota per unit it is counted in (a district, or the province where counted province-wide).
  const units = monitoring()?.quota ?? [];
  const quota = $('quota').querySelector('tbody');
  quota.replaceChildren();
  for (const u of units) {
    const tr = el('tr');
    tr.append(
      cell('quotaUnit', u.unit),
      cell('quotaBase', String(u.base)),
      cell('quotaLimit', `${u.allowed} (${u.base} × ${u.share})`),
      cell('quotaHeld', String(u.recognised)),
      cell('quotaThisYear', String(u.recognisedThisYear)),
    );
    quota.append(tr);
  }
  $('quota-clause').textContent = [...new Set(units.map((u) => u.clause))].join('；');
  const rows = $('candidates').querySelector('tbody');
  rows.replaceChildren();
  const sorted = [...shown.candidates].sort(
    (a, b) => ORDER.indexOf(a.next) - ORDER.indexOf(b.next) || (a.creditCode < b.creditCode ? -1 : 1),
  );
  for (const c of sorted) {
    const tr = el('tr');
    tr.dataset.code = c.creditCode;
    tr.dataset.next = c.next ?? 'done';
    const who = el('div');
    who.append(el('div', c.creditCode), el('div', c.name ?? '', 'small'));
    const deadlines = `${labelled('decideBy', c.decideBy)}${c.next === 'notice' ? `；${labelled('noticeStartBy', c.noticeStartBy)}` : ''}`;
    const record = el('td');
    record.append(recordForm(c));
    tr.append(
      cell('candidate', who),
      cell('routeCategory', `${t(`route.${c.route}`)} · ${c.category === null ? t('none') : t(c.category)}`),
      cell('stepsDone', stepsText(c)),
      cell(
        'nextStep',
        c.next === null ? (c.outcome === null ? t('stepsComplete') : t(`mtyxOutcome.${c.outcome}`)) : t(`step.${c.next}`),
      ),
      cell('deadlines', deadlines),
      record,
    );
    rows.append(tr);
  }
  const soon = new Date(`${today()}T00:00:00Z`);
  soon.setUTCDate(soon.getUTCDate() + SOON_DAYS);
  const by = soon.toISOString().slice(0, 10);
  const expiring = $('expiring').querySelector('tbody');
  expiring.replaceChildren();
  for (const x of shown.recognitions.filter((x) => x.status === 'active' && x.validUntil <= by)) {
    const tr = el('tr');
    tr.append(cell('creditCode', x.creditCode), cell('recognition', t(x.category)), cell('validUntil', x.validUntil));
    expiring.append(tr);
  }
  const ended = $('ended').querySelector('tbody');
  ended.replaceChildren();
  for (const x of shown.recognitions.filter(
    (x) => x.status === 'revoked' || x.status === 'cancelled' || x.status === 'transferred',
  )) {
    const tr = el('tr');
    tr.append(
      cell('creditCode', x.creditCode),
      cell('recognition', t(x.category)),
      cell('state', t(`recognitionStatus.${x.status}`)),
      cell('reason', x.reason ?? ''),
    );
    ended.append(tr);
  }
  const active = new Set(shown.recognitions.filter((x) => x.status === 'active').map((x) => x.creditCode));
  const filed = $('filings').querySelector('tbody');
  filed.replaceChildren();
  for (const f of shown.filings) {
    const tr = el('tr');
    tr.append(
      cell('creditCode', f.creditCode),
      cell('recognition', f.category === null ? '' : t(f.category)),
      cell('validity', `${f.validFrom ?? ''} – ${f.validUntil ?? ''}`),
      cell('filingReview', f.review === null ? t('awaitingReview') : t(`filing.${f.review.outcome}`)),
    );
    // The review itself is the level above's: the gateway refuses a district's (and says why).
    // A recognition that has ended (revoked, cancelled) has nothing left to review.
    const review = el('td');
    if (f.review === null && active.has(f.creditCode)) review.append(filingForm(f));
    tr.append(review);
    tr.dataset.code = f.creditCode;
    filed.append(tr);
  }
}

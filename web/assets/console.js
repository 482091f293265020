/**
 * The regulator's console: signed in with a regulator's access token (pasted; kept for the tab
 * only, in sessionStorage), it shows what the gateway lets that token see — its own jurisdiction —
 * and nothing the API would refuse it: the types of its districts' businesses as a chart and a
 * table, a business's decision explained criterion by criterion, the disputes to answer by their
 * deadline, jobs (a typing run, a 名特优新 validity sweep) started and followed to their end, and
 * the audit log, paged, with its verification against the signed checkpoints.
 */
import { $, cell, drawInLanguage, field, labelled, requestJson, say, t, today } from './page.js';

const TYPES = ['survival', 'growth', 'development', 'ineligible'];
/** The chart's colours, one per type, each with a contrast of at least 3:1 against white. */
const COLOURS = { survival: '#8a5a00', growth: '#1c6b2a', development: '#0b4f9c', ineligible: '#5c5c5c' };

let claims = null;
let section = 'overview';
let overview = null;
let chart = null;
let explained = null;
let disputes = [];
let jobs = [];
let audit = { entries: [], next: null, verified: null };

const token = () => sessionStorage.getItem('getihu.token');
const api = (method, path, body) => requestJson(method, path, { token: token(), body });
const fail = (err) => say(() => t('failed') + err.message);

/** The token's claims, read for display only: the gateway checks the token on every request. */
function readClaims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className !== undefined) e.className = className;
  return e;
}

/** A value the API gives as an object (a criterion's evidence, a job's result), as `key: value · …`. */
function readable(value) {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  return Object.entries(value)
    .map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(' · ');
}

// ---- overview: the types of the area's businesses, by district ----

async function loadOverview(area) {
  try {
    const m = await api('GET', `/v1/regulator/monitoring?area=${encodeURIComponent(area)}&format=json`);
    const byRegion = new Map();
    for (const x of m.types) {
      const row = byRegion.get(x.region) ?? Object.fromEntries(TYPES.map((k) => [k, 0]));
      row[x.type] = (row[x.type] ?? 0) + x.n;
      byRegion.set(x.region, row);
    }
    overview = { area: m.area, rows: [...byRegion.entries()].sort(([a], [b]) => (a < b ? -1 : 1)), quota: m.quota?.[0] ?? null };
    draw();
    say(() => labelled('districts', overview.rows.length));
  } catch (err) {
    fail(err);
  }
}

function drawOverview() {
  const body = $('types-table').querySelector('tbody');
  body.replaceChildren();
  if (overview === null) return;
  for (const [region, counts] of overview.rows) {
    const tr = el('tr');
    tr.append(cell('region', region), ...TYPES.map((k) => cell(k, String(counts[k]))));
    tr.append(cell('total', String(TYPES.reduce((n, k) => n + counts[k], 0))));
    body.append(tr);
  }
  const q = overview.quota;
  $('quota').textContent =
    q === null || q.allowed === null
      ? ''
      : labelled('quotaUse', `${q.recognised} / ${q.allowed} (${t('quotaBase')} ${q.base} × ${q.share}; ${q.clause})`);
  const canvas = $('types-chart');
  canvas.setAttribute('aria-label', t('chartLabel'));
  chart?.destroy();
  chart = new globalThis.Chart(canvas, {
    type: 'bar',
    data: {
      labels: overview.rows.map(([region]) => region),
      datasets: TYPES.map((k) => ({
        label: t(k),
        data: overview.rows.map(([, counts]) => counts[k]),
        backgroundColor: COLOURS[k],
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
    },
  });
}

// ---- a business: its decision explained ----

async function loadBusiness(code) {
  try {
    explained = await api('GET', `/v1/regulator/decisions/${encodeURIComponent(code)}`);
    draw();
    say(() => labelled('type', t(explained.decision.type)));
  } catch (err) {
    explained = null;
    draw();
    fail(err);
  }
}

function drawBusiness() {
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

// ---- disputes: the open ones, by deadline ----

async function loadDisputes() {
  try {
    const page = await api('GET', '/v1/regulator/disputes?status=open&limit=500');
    disputes = page.disputes.sort((a, b) => ((a.respondBy ?? '9999') < (b.respondBy ?? '9999') ? -1 : 1));
    draw();
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
      draw();
      const done = outcome.value;
      say(() => `${t('resolved')}${d.creditCode} · ${t(`outcome.${done}`)}`);
    } catch (err) {
      fail(err);
    }
  });
  return form;
}

function drawDisputes() {
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

// ---- jobs: started here, followed until they end ----

async function follow(job) {
  while (job.state === 'queued' || job.state === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    job = await api('GET', job.href);
    jobs = jobs.map((j) => (j.id === job.id ? job : j));
    draw();
  }
  say(() => labelled(`job.${job.kind}`, t(`state.${job.state}`)));
}

async function startJob(kind, area, asOf) {
  try {
    const path = kind === 'run' ? '/v1/regulator/runs' : '/v1/regulator/badges/sweep';
    const job = await api('POST', path, { area, ...(asOf === '' ? {} : { asOf }) });
    jobs = [job, ...jobs];
    draw();
    await follow(job);
  } catch (err) {
    fail(err);
  }
}

function drawJobs() {
  const body = $('job-rows');
  body.replaceChildren();
  for (const j of jobs) {
    const tr = el('tr');
    tr.dataset.state = j.state;
    const result = j.error !== null ? j.error.message : readable(j.result);
    tr.append(
      cell('jobKind', t(`job.${j.kind}`)),
      cell('area', j.area),
      cell('state', t(`state.${j.state}`)),
      cell('result', result),
    );
    body.append(tr);
  }
}

// ---- the audit log, newest first, and its verification ----

async function loadAudit(before) {
  try {
    const page = await api('GET', `/v1/regulator/audit?limit=20${before === undefined ? '' : `&before=${before}`}`);
    audit = { ...audit, entries: page.entries, next: page.next };
    draw();
  } catch (err) {
    fail(err);
  }
}

async function verifyAudit() {
  try {
    audit = { ...audit, verified: await api('GET', '/v1/regulator/audit/verify') };
    draw();
  } catch (err) {
    fail(err);
  }
}

function drawAudit() {
  const body = $('audit-rows');
  body.replaceChildren();
  for (const a of audit.entries) {
    const tr = el('tr');
    tr.append(
      cell('seq', String(a.seq)),
      cell('at', a.at),
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

// ---- the page ----

function draw() {
  const signedIn = claims !== null;
  $('signin').hidden = signedIn;
  $('console').hidden = !signedIn;
  if (!signedIn) return;
  $('jurisdiction').textContent = labelled('jurisdiction', `${claims.region} · ${claims.sub}`);
  for (const b of $('sections').querySelectorAll('[data-section]')) {
    const on = b.dataset.section === section;
    $(b.dataset.section).hidden = !on;
    if (on) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  drawOverview();
  drawBusiness();
  drawDisputes();
  drawJobs();
  drawAudit();
}

function show(name) {
  section = name;
  draw();
  if (name === 'disputes') void loadDisputes();
  if (name === 'audit') void loadAudit();
}

function signIn(jwt) {
  claims = readClaims(jwt);
  if (claims === null || typeof claims.region !== 'string') {
    claims = null;
    sessionStorage.removeItem('getihu.token');
    say(() => t('notRegulatorToken'));
    return;
  }
  $('area').value = claims.region;
  $('job-area').value = claims.region;
  $('job-asof').value = today();
  $('job-asof').max = today();
  show('overview');
  void loadOverview(claims.region);
}

$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const jwt = $('token').value.trim();
  sessionStorage.setItem('getihu.token', jwt);
  $('token').value = '';
  signIn(jwt);
});
$('signout').addEventListener('click', () => {
  sessionStorage.removeItem('getihu.token');
  claims = null;
  overview = explained = null;
  disputes = jobs = [];
  draw();
  say(() => '');
});
for (const b of $('sections').querySelectorAll('[data-section]')) b.addEventListener('click', () => show(b.dataset.section));
$('area-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void loadOverview($('area').value);
});
$('business-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void loadBusiness($('code').value.trim().toUpperCase());
});
$('job-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void startJob($('job-kind').value, $('job-area').value, $('job-asof').value);
});
$('audit-verify').addEventListener('click', () => void verifyAudit());
$('audit-first').addEventListener('click', () => void loadAudit());
$('audit-next').addEventListener('click', () => void loadAudit(audit.next?.before));
drawInLanguage(draw);
if (token() !== null) signIn(token());

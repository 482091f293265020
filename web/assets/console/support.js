/** The console's support section: the measures owed and delivered by department, and the year's 双随机 draw with its published seed. */
import { $, cell, fail, labelled, requestJson, say, t } from '../page.js';
import { monitoring } from './overview.js';
import { api, COLOURS, el, redraw, session } from './shared.js';

let supportChart = null;
let spot = null;
/** The support series of the area last read (null: none yet). */
let delivery = null;

const SUPPORT_COLUMNS = ['matched', 'noApplication', 'delivered', 'declined', 'unreachable'];

export function drawSupport() {
  const body = $('support-table').querySelector('tbody');
  body.replaceChildren();
  if (delivery === null) return;
  for (const r of delivery) {
    const tr = el('tr');
    tr.append(cell('department', r.department), ...SUPPORT_COLUMNS.map((k) => cell(k, String(r[k]))));
    body.append(tr);
  }
  const canvas = $('support-chart');
  canvas.setAttribute('aria-label', t('supportChartLabel'));
  supportChart?.destroy();
  if (session.section !== 'support') return;
  // A bar per department, each with room for its name.
  canvas.parentElement.style.height = `${Math.max(16, 2 * delivery.length)}rem`;
  supportChart = new globalThis.Chart(canvas, {
    type: 'bar',
    data: {
      labels: delivery.map((r) => r.department),
      datasets: [
        { label: t('matched'), data: delivery.map((r) => r.matched), backgroundColor: COLOURS.ineligible },
        { label: t('delivered'), data: delivery.map((r) => r.delivered), backgroundColor: COLOURS.growth },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: 'y',
      scales: { x: { beginAtZero: true }, y: { ticks: { autoSkip: false } } },
    },
  });
}

/** The support measures owed and delivered by department in the area (the monitoring series). */
export async function loadSupport() {
  try {
    delivery = (await api('GET', `/v1/regulator/monitoring?area=${monitoring()?.area ?? session.claims.region}&series=support`))
      .support;
    redraw();
  } catch (err) {
    fail(err);
  }
}

/** The year's draw of the area (null: none yet), or, before it, the commitment published for it. */
export async function loadSpot() {
  const area = monitoring()?.area ?? session.claims.region;
  const year = $('spot-year').value;
  try {
    spot = await api('GET', `/v1/regulator/spot-checks?area=${area}&year=${year}`);
  } catch (err) {
    if (err.status !== 404) return fail(err);
    spot = await requestJson('GET', `/v1/public/spot-checks/commitments?area=${area}&year=${year}`).catch(() => null);
  }
  redraw();
}

export async function commitSpot() {
  try {
    await api('POST', '/v1/regulator/spot-checks/commitments', {
      area: monitoring()?.area ?? session.claims.region,
      year: Number($('spot-year').value),
    });
    await loadSpot();
    say(() => labelled('spotCommitment', spot?.commitment ?? ''));
  } catch (err) {
    fail(err);
  }
}

export async function drawSpot() {
  try {
    spot = await api('POST', '/v1/regulator/spot-checks', {
      area: monitoring()?.area ?? session.claims.region,
      year: Number($('spot-year').value),
      publicValue: $('spot-public').value,
    });
    redraw();
    say(() => labelled('spotDrawn', spot.list.length));
  } catch (err) {
    fail(err);
  }
}

/** A draw's period (2026, 2026-H1, 2026-Q3) in words. */
function periodText(period) {
  const [year, part] = period.split('-');
  if (part === undefined) return t('periodYear').replace('{y}', year);
  const key = part.startsWith('Q') ? 'periodQuarter' : `period${part}`;
  return t(key).replace('{y}', year).replace('{n}', part.slice(1));
}

export function drawSpotCheck() {
  const dl = $('spot-draw');
  dl.replaceChildren();
  const rows = $('spot-summary').querySelector('tbody');
  rows.replaceChildren();
  $('spot-summary').hidden = spot?.summary === undefined;
  if (spot === null) return;
  const facts = [
    ['spotCommitment', spot.commitment],
    ['spotSecret', spot.secret ?? ''],
    ['spotPublicValue', spot.publicValue ?? ''],
    ['spotSeed', spot.seed ?? ''],
    ['spotList', spot.list === undefined ? '' : String(spot.list.length)],
  ];
  for (const [k, v] of facts) {
    if (v === '') continue;
    const dd = el('dd', v);
    dd.id = `spot-${k}`;
    dl.append(el('dt', t(k)), dd);
  }
  for (const x of spot.summary ?? []) {
    const tr = el('tr');
    tr.append(
      cell('type', t(x.type)),
      cell('period', periodText(x.period)),
      cell('population', String(x.population)),
      cell('ratio', String(x.ratio)),
      cell('drawn', String(x.drawn)),
    );
    rows.append(tr);
  }
}

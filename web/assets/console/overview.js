/** The console's overview: the area's businesses by district and type (chart and table), the moves between types, past runs and rounds; it reads the quota series the 名特优新 section shows. */
import { $, cell, chinaTime, fail, labelled, say, t } from '../page.js';
import { api, COLOURS, el, redraw, TYPES } from './shared.js';

/** The area's monitoring series as last read (null: none yet). */
let overview = null;
let chart = null;

/** The monitoring series last read, for the support section. */
export const monitoring = () => overview;

/** Forgets what was read (on signing out). */
export function resetOverview() {
  overview = null;
}

export async function loadOverview(area) {
  try {
    const a = encodeURIComponent(area);
    // The series the overview shows, each asked for alone (the support series is its section's).
    const series = (name) => api('GET', `/v1/regulator/monitoring?area=${a}&series=${name}`);
    const [types, moves, quota, past, rounds] = await Promise.all([
      series('types'),
      series('transitions'),
      series('quota'),
      api('GET', `/v1/regulator/runs?area=${a}&limit=10`),
      api('GET', `/v1/regulator/rounds?area=${a}&limit=10`),
    ]);
    const m = { area: types.area, types: types.types, transitions: moves.transitions, quota: quota.quota };
    const byRegion = new Map();
    for (const x of m.types) {
      const row = byRegion.get(x.region) ?? Object.fromEntries(TYPES.map((k) => [k, 0]));
      row[x.type] = (row[x.type] ?? 0) + x.n;
      byRegion.set(x.region, row);
    }
    overview = {
      area: m.area,
      rows: [...byRegion.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
      quota: m.quota ?? [],
      transitions: m.transitions ?? [],
      runs: past.runs,
      rounds: rounds.rounds,
    };
    redraw();
    say(() => labelled('districts', overview.rows.length));
  } catch (err) {
    fail(err);
  }
}

export function drawOverview() {
  const body = $('types-table').querySelector('tbody');
  body.replaceChildren();
  if (overview === null) return;
  for (const [region, counts] of overview.rows) {
    const tr = el('tr');
    tr.append(cell('region', region), ...TYPES.map((k) => cell(k, String(counts[k]))));
    tr.append(cell('total', String(TYPES.reduce((n, k) => n + counts[k], 0))));
    body.append(tr);
  }
  const moves = $('transitions').querySelector('tbody');
  moves.replaceChildren();
  for (const x of overview.transitions) {
    const tr = el('tr');
    tr.append(
      cell('years', `${x.fromYear} → ${x.toYear}`),
      cell('from', t(x.from)),
      cell('to', t(x.to)),
      cell('count', String(x.n)),
    );
    moves.append(tr);
  }
  $('transitions').hidden = overview.transitions.length === 0;
  const runs = $('past-runs').querySelector('tbody');
  runs.replaceChildren();
  for (const r of overview.runs) {
    const tr = el('tr');
    // A run's counts are by district and type: its totals by type.
    const totals = {};
    for (const byType of Object.values(r.counts ?? {}))
      for (const [k, n] of Object.entries(byType)) totals[k] = (totals[k] ?? 0) + n;
    const counts = TYPES.map((k) => `${t(k)} ${totals[k] ?? 0}`).join(' · ');
    tr.append(
      cell('area', r.area),
      cell('asOf', r.asOf),
      cell('ruleset', r.ruleset),
      cell('counts', counts),
      cell('completedAt', r.completedAt === null ? t('state.running') : chinaTime(r.completedAt)),
    );
    runs.append(tr);
  }
  const rounds = $('past-rounds').querySelector('tbody');
  rounds.replaceChildren();
  for (const r of overview.rounds) {
    const tr = el('tr');
    const outcomes = Object.entries(r.outcomes)
      .map(([k, n]) => `${t(`mtyxOutcome.${k}`)} ${n}`)
      .join(' · ');
    tr.append(
      cell('area', r.area),
      cell('year', String(r.year)),
      cell('decidedOn', r.decidedOn ?? ''),
      cell('outcomes', outcomes),
    );
    rounds.append(tr);
  }
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

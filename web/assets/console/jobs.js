/** The console's jobs: a typing run, a 名特优新 round or a validity sweep, started and followed until it ends. */
import { $, cell, fail, labelled, say, t } from '../page.js';
import { api, el, readable, redraw } from './shared.js';

let jobs = [];

/** Forgets the jobs followed (on signing out). */
export function resetJobs() {
  jobs = [];
}

async function follow(job) {
  while (job.state === 'queued' || job.state === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    job = await api('GET', job.href);
    jobs = jobs.map((j) => (j.id === job.id ? job : j));
    redraw();
  }
  say(() => labelled(`job.${job.kind}`, t(`state.${job.state}`)));
}

export async function startJob(kind, area, asOf) {
  try {
    const path = { run: '/v1/regulator/runs', round: '/v1/regulator/rounds', sweep: '/v1/regulator/badges/sweep' }[kind];
    const job = await api('POST', path, { area, ...(asOf === '' ? {} : { asOf }) });
    jobs = [job, ...jobs];
    redraw();
    await follow(job);
  } catch (err) {
    fail(err);
  }
}

export function drawJobs() {
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

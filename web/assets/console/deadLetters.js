/**
 * The console's dead letters: the records set aside — an agency's line its checks refused, a
 * record a consumer could not decode or apply — by agency, feed and reason, newest first, with the
 * original (its text, or its size when it is binary); and the replay, once the cause is fixed,
 * which the gateway lets the country's regulator run.
 */
import { $, cell, chinaTime, fail, labelled, say, t } from '../page.js';
import { api, el, redraw } from './shared.js';

let shown = { deadLetters: [], total: 0, replay: null };

export async function loadDeadLetters() {
  const q = new URLSearchParams({ limit: '200' });
  for (const [name, id] of [
    ['agency', 'dl-agency'],
    ['feed', 'dl-feed'],
    ['reasonCode', 'dl-reason'],
  ])
    if ($(id).value.trim() !== '') q.set(name, $(id).value.trim());
  try {
    const page = await api('GET', `/v1/regulator/dead-letters?${q}`);
    shown = { ...shown, deadLetters: page.deadLetters, total: page.total };
    redraw();
  } catch (err) {
    fail(err);
  }
}

export async function replayDeadLetters() {
  try {
    const r = await api('POST', '/v1/regulator/dead-letters/replay');
    shown = { ...shown, replay: r };
    say(() => labelled('replayed', `${r.replayed} (${t('agencyRecords')} ${r.agencyRecords})`));
    await loadDeadLetters();
  } catch (err) {
    fail(err);
  }
}

export function drawDeadLetters() {
  $('dl-summary').textContent = labelled('deadLetters', shown.total);
  const body = $('dl-rows');
  body.replaceChildren();
  for (const d of shown.deadLetters) {
    const tr = el('tr');
    const source =
      d.consumer === null
        ? `${d.agency} / ${d.feed} · ${labelled('line', d.line)}`
        : `${d.consumer} · ${d.sourceTopic} ${d.sourcePartition}/${d.sourceOffset}${d.sourceKey === null ? '' : ` · ${d.sourceKey}`}`;
    const original =
      d.originalText ??
      `${t('binary')} ${Math.floor((d.original.length * 3) / 4) - (d.original.match(/=+$/)?.[0].length ?? 0)} B`;
    const text = el('code', original);
    tr.append(
      cell('at', d.deadAt === null ? '' : chinaTime(d.deadAt)),
      cell('source', source),
      cell('reason', `${d.reasonCode}: ${d.reason}`),
      cell('original', text),
    );
    body.append(tr);
  }
}

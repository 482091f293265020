/**
 * A department's worklist (帮扶台账): signed in with its access token (pasted; the identity
 * provider's sign-in is for the console), it lists the measures the department still owes the
 * businesses of its region and records, for each, what was done (delivered, declined, not
 * reachable), on which day, with a note. The token is kept for the tab only (sessionStorage).
 */
import { $, cell, drawInLanguage, fail, field, labelled, requestJson, say, t, today } from './page.js';

let after = '';
let items = [];
let header = null;

function token() {
  return sessionStorage.getItem('getihu.token');
}

const api = (method, path, body) => requestJson(method, path, { token: token(), body });

function recordForm(item) {
  const form = document.createElement('form');
  form.className = 'record';
  const status = document.createElement('select');
  for (const s of ['delivered', 'declined', 'unreachable']) status.append(new Option(t(s), s));
  const on = document.createElement('input');
  on.type = 'date';
  on.required = true;
  on.value = today();
  on.max = today();
  const note = document.createElement('input');
  note.type = 'text';
  note.maxLength = 2000;
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = t('save');
  save.setAttribute('aria-label', labelled('save', `${item.title} (${item.creditCode})`));
  form.append(field(t('record'), status), field(t('on'), on), field(t('note'), note), save);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/v1/department/deliveries', {
        creditCode: item.creditCode,
        measureId: item.measureId,
        status: status.value,
        on: on.value,
        ...(note.value === '' ? {} : { note: note.value }),
      });
      items = items.filter((x) => x !== item);
      draw();
      const done = status.value;
      say(() => `${t('saved')}${item.title} · ${item.creditCode} · ${t(done)}`);
    } catch (err) {
      fail(err);
    }
  });
  return form;
}

function draw() {
  const signedIn = header !== null;
  $('signin').hidden = signedIn;
  $('worklist').hidden = !signedIn;
  if (!signedIn) return;
  $('worklist-title').textContent = labelled('actingFor', `${header.department} · ${header.region}`);
  const body = $('worklist').querySelector('tbody');
  body.replaceChildren();
  for (const item of items) {
    const row = document.createElement('tr');
    const measure = document.createElement('div');
    const title = document.createElement('strong');
    title.textContent = item.title;
    const clause = document.createElement('div');
    clause.className = 'small';
    clause.textContent = `${item.clause} · ${t(`channel.${item.channel}`)}`;
    measure.append(title, clause);
    if (item.conditions !== undefined) {
      const conditions = document.createElement('div');
      conditions.className = 'small';
      conditions.textContent = labelled('conditions', item.conditions.join('；'));
      measure.append(conditions);
    }
    const record = document.createElement('td');
    record.append(recordForm(item));
    row.append(cell('creditCode', item.creditCode), cell('type', t(item.type)), cell('measure', measure), record);
    body.append(row);
  }
  $('more').hidden = after === null;
}

async function load(more = false) {
  try {
    const page = await api('GET', `/v1/department/worklist?status=open&limit=100&after=${encodeURIComponent(more ? after : '')}`);
    header = { department: page.department, region: page.region };
    items = more ? [...items, ...page.items] : page.items;
    after = page.next?.after ?? null;
    draw();
    say(() => (items.length === 0 ? t('nothingOpen') : labelled('openMeasures', items.length)));
  } catch (err) {
    header = null;
    draw();
    fail(err);
  }
}

$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('getihu.token', $('token').value.trim());
  $('token').value = '';
  void load();
});
$('signout').addEventListener('click', () => {
  sessionStorage.removeItem('getihu.token');
  header = null;
  items = [];
  draw();
  say(() => '');
});
$('more').addEventListener('click', () => void load(true));
drawInLanguage(draw);
if (token() !== null) void load();

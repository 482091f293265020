/**
 * A department's worklist (帮扶台账): signed in with its access token (pasted; the identity
 * provider's sign-in is for the console), it lists the measures the department still owes the
 * businesses of its region and records, for each, what was done (delivered, declined, not
 * reachable), on which day, with a note. The token is kept for the tab only (sessionStorage).
 */
import { language, translate, word } from './i18n.js';

let lang = language();
let after = '';
let items = [];
let header = null;
const $ = (id) => document.getElementById(id);

function token() {
  return sessionStorage.getItem('getihu.token');
}

function say(text) {
  $('status').textContent = text;
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${token()}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error?.message ?? res.statusText);
  return answer;
}

function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

function field(label, control) {
  const wrap = document.createElement('label');
  wrap.className = 'field';
  const text = document.createElement('span');
  text.textContent = label;
  wrap.append(text, control);
  return wrap;
}

function recordForm(item) {
  const form = document.createElement('form');
  form.className = 'record';
  const status = document.createElement('select');
  for (const s of ['delivered', 'declined', 'unreachable']) status.append(new Option(word(lang, s), s));
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
  save.textContent = word(lang, 'save');
  save.setAttribute('aria-label', `${word(lang, 'save')}: ${item.title} (${item.creditCode})`);
  form.append(field(word(lang, 'record'), status), field(word(lang, 'on'), on), field(word(lang, 'note'), note), save);
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
      say(`${word(lang, 'saved')}${item.title} · ${item.creditCode} · ${word(lang, status.value)}`);
    } catch (err) {
      say(word(lang, 'failed') + err.message);
    }
  });
  return form;
}

function draw() {
  translate(document, lang);
  const signedIn = header !== null;
  $('signin').hidden = signedIn;
  $('worklist').hidden = !signedIn;
  if (!signedIn) return;
  $('worklist-title').textContent = `${word(lang, 'actingFor')}: ${header.department} · ${header.region}`;
  const body = $('worklist').querySelector('tbody');
  body.replaceChildren();
  for (const item of items) {
    const row = document.createElement('tr');
    const code = document.createElement('td');
    code.textContent = item.creditCode;
    const type = document.createElement('td');
    type.textContent = word(lang, item.type);
    const measure = document.createElement('td');
    const title = document.createElement('strong');
    title.textContent = item.title;
    const clause = document.createElement('div');
    clause.className = 'small';
    clause.textContent = `${item.clause} · ${item.channel}`;
    measure.append(title, clause);
    const record = document.createElement('td');
    record.append(recordForm(item));
    row.append(code, type, measure, record);
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
    say(items.length === 0 ? word(lang, 'nothingOpen') : `${word(lang, 'openMeasures')}: ${items.length}`);
  } catch (err) {
    header = null;
    draw();
    say(word(lang, 'failed') + err.message);
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
  say('');
});
$('more').addEventListener('click', () => void load(true));
$('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('getihu.lang', lang);
  draw();
});
draw();
if (token() !== null) void load();

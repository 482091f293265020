/**
 * The regulator's console: signed in at the identity provider (./console/signin.js), or with a
 * pasted regulator's access token on the development default (kept for the tab only, in
 * sessionStorage), it shows what the gateway lets that token see — its own jurisdiction — and
 * nothing the API would refuse it. This file is the shell: sign-in, the sections' navigation
 * and the redraw; each section is a module of ./console/: the overview (types by district, the
 * quota, the moves between types), 名特优新 (candidates by review step, filings), support (delivery
 * by department, the 双随机 draw), a business explained, disputes, jobs, the records set aside, and
 * the audit log.
 */
import { drawAudit, loadAudit, older, verifyAudit } from './console/audit.js';
import { drawBusiness, loadBusiness, resetBusiness } from './console/business.js';
import { drawDeadLetters, loadDeadLetters, replayDeadLetters } from './console/deadLetters.js';
import { drawDisputes, loadDisputes } from './console/disputes.js';
import { drawJobs, resetJobs, startJob } from './console/jobs.js';
import { drawMtyx, loadMtyx } from './console/mtyx.js';
import { drawOverview, loadOverview, resetOverview } from './console/overview.js';
import { onRedraw, session, token } from './console/shared.js';
import { finishSignIn, isAnswer, providerOf, startSignIn } from './console/signin.js';
import { commitSpot, drawSpot, drawSpotCheck, drawSupport, loadSpot, loadSupport } from './console/support.js';
import { $, drawInLanguage, fail, labelled, say, t, today, tokenClaims } from './page.js';

function draw() {
  const { claims } = session;
  $('signin').hidden = claims !== null;
  $('console').hidden = claims === null;
  if (claims === null) return;
  $('jurisdiction').textContent = labelled('jurisdiction', `${claims.region} · ${claims.sub}`);
  for (const b of $('sections').querySelectorAll('[data-section]')) {
    const on = b.dataset.section === session.section;
    $(b.dataset.section).hidden = !on;
    if (on) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  drawOverview();
  drawSupport();
  drawSpotCheck();
  drawMtyx();
  drawBusiness();
  drawDisputes();
  drawJobs();
  drawDeadLetters();
  drawAudit();
}
onRedraw(draw);

function show(name) {
  session.section = name;
  draw();
  if (name === 'disputes') void loadDisputes();
  if (name === 'audit') void loadAudit();
  if (name === 'support') {
    void loadSupport();
    void loadSpot();
  }
  if (name === 'mtyx') void loadMtyx();
  if (name === 'deadletters') void loadDeadLetters();
}

function signIn(jwt) {
  const claims = tokenClaims(jwt);
  if (claims === null || typeof claims.region !== 'string') {
    session.claims = null;
    sessionStorage.removeItem('getihu.token');
    say(() => t('notRegulatorToken'));
    return;
  }
  session.claims = claims;
  $('area').value = claims.region;
  $('job-area').value = claims.region;
  $('job-asof').value = today();
  $('job-asof').max = today();
  $('spot-year').value = today().slice(0, 4);
  $('mtyx-year').value = today().slice(0, 4);
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
  session.claims = null;
  resetOverview();
  resetBusiness();
  resetJobs();
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
$('mtyx-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void loadMtyx();
});
$('spot-commit').addEventListener('click', () => void commitSpot());
$('spot-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void drawSpot();
});
$('dl-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void loadDeadLetters();
});
$('dl-replay').addEventListener('click', () => void replayDeadLetters());
$('audit-verify').addEventListener('click', () => void verifyAudit());
$('audit-first').addEventListener('click', () => void loadAudit());
$('audit-next').addEventListener('click', () => void loadAudit(older()));
drawInLanguage(draw);
// Where the gateway names an identity provider, the console signs in there; the pasted token stays
// for a token the provider issued by other means.
const provider = await providerOf().catch(() => null);
if (provider !== null) {
  $('provider').hidden = false;
  $('provider-signin').addEventListener('click', () => startSignIn(provider).catch(fail));
}
if (provider !== null && isAnswer()) {
  try {
    const jwt = await finishSignIn(provider);
    sessionStorage.setItem('getihu.token', jwt);
    signIn(jwt);
  } catch (err) {
    fail(err);
  }
} else if (token() !== null) signIn(token());

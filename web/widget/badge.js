/**
 * The 名特优新 badge widget a shop page embeds: one script and one element.
 *
 *   <script type="module" src="https://<gateway>/widget/badge.js"></script>
 *   <getihu-badge token="<the badge token the platform fetched for the shop>"></getihu-badge>
 *
 * In the reader's browser it verifies the token's signature against the gateway's published keys
 * (/.well-known/jwks.json, with jose), checks that it is a badge (audience, type, expiry), asks the
 * gateway for the badge's current status (no token needed), and shows the badge only if all hold;
 * otherwise "not valid". The gateway is the one the script was loaded from.
 */
import { createRemoteJWKSet, jwtVerify } from './jose/index.js';

const GATEWAY = new URL('..', import.meta.url);
const KEYS = createRemoteJWKSet(new URL('.well-known/jwks.json', GATEWAY));
const CATEGORIES = {
  zh: { wellKnown: '知名', distinctive: '特色', quality: '优质', emerging: '新兴' },
  en: { wellKnown: 'Well-known', distinctive: 'Distinctive', quality: 'Quality', emerging: 'Emerging' },
};
const WORDS = {
  zh: {
    valid: '名特优新个体工商户',
    invalid: '徽章无效',
    checking: '正在核验…',
    until: '有效期至',
    verified: '签名已核验',
    signature: '签名或有效期核验未通过',
    revoked: '认定已撤销',
    expired: '认定已过期',
    cancelled: '认定已取消',
    transferred: '认定已随迁移转至新登记',
    none: '无有效认定',
    unreachable: '无法核验',
  },
  en: {
    valid: '名特优新 individual business',
    invalid: 'Badge not valid',
    checking: 'Checking…',
    until: 'valid until',
    verified: 'signature verified',
    signature: 'signature or validity check failed',
    revoked: 'recognition revoked',
    expired: 'recognition expired',
    cancelled: 'recognition cancelled',
    transferred: 'recognition moved with the business to its new registration',
    none: 'no recognition in force',
    unreachable: 'could not be checked',
  },
};

/** Why a badge is not shown: one of WORDS' reasons. */
class NotValid extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}
const STYLE = new CSSStyleSheet();
STYLE.replaceSync(`
  :host { display: inline-block; font: 14px/1.4 system-ui, "Noto Sans CJK SC", sans-serif; }
  .badge { display: inline-flex; gap: .4em; align-items: center; padding: .3em .7em; border-radius: 4px; border: 2px solid; }
  .valid { color: #7a0d16; border-color: #a1121d; background: #fff7f7; }
  .invalid { color: #333; border-color: #666; background: #f2f2f2; }
  .small { font-size: .85em; color: #333; }
`);

/** Verifies a badge token and its status; answers the claims, or throws `NotValid` with why. */
export async function checkBadge(token) {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, KEYS, { audience: 'getihu-badge', typ: 'badge+jwt' }));
  } catch {
    throw new NotValid('signature');
  }
  if (payload.badge !== 'mtyx' || typeof payload.status !== 'string' || !payload.status.startsWith('/v1/badges/'))
    throw new NotValid('signature');
  const res = await fetch(new URL(payload.status.slice(1), GATEWAY), { headers: { accept: 'application/json' } });
  if (!res.ok) throw new NotValid('unreachable');
  const status = await res.json();
  if (status.creditCode !== payload.sub) throw new NotValid('signature');
  if (status.status !== 'active') throw new NotValid(status.status in WORDS.zh ? status.status : 'none');
  return payload;
}

class GetihuBadge extends HTMLElement {
  static observedAttributes = ['token'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).adoptedStyleSheets = [STYLE];
  }

  get #lang() {
    return (this.getAttribute('lang') ?? document.documentElement.lang ?? 'zh').startsWith('en') ? 'en' : 'zh';
  }

  connectedCallback() {
    void this.#check();
  }

  attributeChangedCallback() {
    if (this.isConnected) void this.#check();
  }

  #show(cls, text, detail) {
    const box = document.createElement('span');
    box.className = `badge ${cls}`;
    box.setAttribute('role', 'status');
    box.textContent = text;
    if (detail !== undefined) {
      const small = document.createElement('span');
      small.className = 'small';
      small.textContent = detail;
      box.append(small);
    }
    this.shadowRoot.replaceChildren(box);
    this.dataset.state = cls;
  }

  async #check() {
    const w = WORDS[this.#lang];
    const token = this.getAttribute('token');
    this.#show('checking', w.checking);
    delete this.dataset.reason;
    try {
      if (!token) throw new NotValid('signature');
      const claims = await checkBadge(token);
      const category = CATEGORIES[this.#lang][claims.category] ?? claims.category;
      this.#show('valid', `✔ ${w.valid} · ${category}`, `${w.until} ${claims.validUntil} · ${w.verified}`);
    } catch (err) {
      this.#show('invalid', `✖ ${w.invalid}`, w[err instanceof NotValid ? err.reason : 'unreachable']);
      this.dataset.reason = err instanceof NotValid ? err.reason : 'unreachable';
    }
  }
}

if (!customElements.get('getihu-badge')) customElements.define('getihu-badge', GetihuBadge);

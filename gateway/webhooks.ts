/**
 * Corrections pushed to banks' own servers: a bank registers one endpoint, and every change
 * to a tag it fetched (the same changes as `GET /v1/credit-tags-corrections`) is POSTed there,
 * signed, in order, at least once. The receiver acknowledges with any 2xx; anything else (or no
 * answer in time) is retried with growing pauses, and nothing is skipped: the cursor moves only
 * past what was acknowledged. A delivery carries the cursor, so a receiver can drop a repeat.
 *
 * Only endpoints whose origin the operator allows (`GETIHU_WEBHOOK_ORIGINS`, HTTPS in production;
 * the development keys also allow loopback over HTTP) may be registered: the gateway must not be
 * made to call into its own network. Redirects are not followed.
 *
 * Signature (as banks already check for payment callbacks): the header
 * `Getihu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, with the secret
 * handed out once, when the endpoint is registered. The store keeps it sealed (`SecretBox`).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import { GetihuError } from '../lib/errors.js';
import type { Store, Webhook } from '../lib/store/index.js';
import { recordAudit } from './audit.js';
import { BANK_READS, encodeCorrectionCursor } from './corrections.js';

/** An allowed origin: `https://hooks.bank.example`, `https://hooks.bank.example:8443`, `http://127.0.0.1:*`. */
export interface Origin {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  /** '' for the scheme's default port, '*' for any. */
  readonly port: string;
}

/** Reads the operator's list of allowed origins (comma-separated). */
export function parseWebhookOrigins(text: string | undefined): Origin[] {
  const out: Origin[] = [];
  for (const item of (text ?? '').split(',').map((s) => s.trim())) {
    if (item === '') continue;
    const m = /^(https?):\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}|\*))?\/?$/.exec(item);
    if (m === null) throw new GetihuError('INVALID_CONFIG', `webhook origin '${item}' is not scheme://host[:port|:*]`);
    const protocol = `${m[1]}:` as Origin['protocol'];
    const port = m[3] ?? '';
    out.push({
      protocol,
      hostname: (m[2] as string).toLowerCase(),
      port: (protocol === 'https:' && port === '443') || (protocol === 'http:' && port === '80') ? '' : port,
    });
  }
  return out;
}

/**
 * Whether an address is not on the public internet: loopback, private, link-local, unique-local,
 * site-local, unspecified, multicast — and the IPv6 forms that carry an IPv4 address onwards
 * (IPv4-mapped in any spelling, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16), which
 * are refused whole rather than trusted to embed a public one.
 */
export function isPrivateAddress(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) !== 4) return true;
  const v4 = lower.startsWith('::ffff:') ? lower.slice(7) : lower;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      a >= 224
    );
  }
  const x = lower;
  return (
    x === '::' ||
    x === '::1' ||
    x.startsWith('64:ff9b:') ||
    x.startsWith('2002:') ||
    x.startsWith('fec') ||
    x.startsWith('fed') ||
    x.startsWith('fee') ||
    x.startsWith('fef') ||
    x.startsWith('fe8') ||
    x.startsWith('fe9') ||
    x.startsWith('fea') ||
    x.startsWith('feb') ||
    x.startsWith('fc') ||
    x.startsWith('fd') ||
    x.startsWith('ff')
  );
}

/**
 * The address to deliver to, or why not: the URL's host resolved once; a non-public address only
 * when the operator's list names that host itself (an address literal or localhost, as the
 * development list does), never through a name that happens to resolve there.
 */
export async function resolveTarget(url: URL, origins: readonly Origin[]): Promise<{ address: string; family: number } | string> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let found: { address: string; family: number }[];
  try {
    found = isIP(host) === 0 ? await lookup(host, { all: true }) : [{ address: host, family: isIP(host) }];
  } catch {
    return 'could not deliver';
  }
  const first = found[0];
  if (first === undefined) return 'could not deliver';
  const namedByOperator = origins.some(
    (o) => o.hostname.replace(/^\[|\]$/g, '') === host && (isIP(host) !== 0 || host === 'localhost'),
  );
  if (found.some((a) => isPrivateAddress(a.address)) && !namedByOperator)
    return 'the endpoint resolves to an address that is not public';
  return first;
}

/** The URL as registered, or why it is refused. */
export function checkWebhookUrl(text: string, origins: readonly Origin[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new GetihuError('INVALID_ARGUMENT', 'url: not an absolute URL');
  }
  if (url.username !== '' || url.password !== '') throw new GetihuError('INVALID_ARGUMENT', 'url: must not carry credentials');
  // The host as written must be the host as read: 127.1, 2130706433 and 0x7f.0.0.1 all read as
  // 127.0.0.1, and a list of origins is checked against what a person can read in it.
  const written = /^[a-z][a-z0-9+.-]*:\/\/(\[[^\]]*\]|[^/:?#]*)/i.exec(text.trim())?.[1]?.toLowerCase();
  if (written !== url.hostname)
    throw new GetihuError('INVALID_ARGUMENT', `url: write the host as ${url.hostname}, the form it is read in`);
  if (url.hash !== '') throw new GetihuError('INVALID_ARGUMENT', 'url: must not carry a fragment');
  if (origins.length === 0)
    throw new GetihuError('FORBIDDEN', 'this gateway delivers no webhooks; read the corrections feed or its event stream');
  if (!isAllowed(url, origins))
    throw new GetihuError('FORBIDDEN', "url: that origin is not on this gateway's list of webhook origins");
  return url;
}

function isAllowed(url: URL | string, origins: readonly Origin[]): boolean {
  const u = typeof url === 'string' ? new URL(url) : url;
  return origins.some((o) => o.protocol === u.protocol && o.hostname === u.hostname && (o.port === '*' || o.port === u.port));
}

/** The signature header's value for `body` sent at `t` (unix seconds). */
export function webhookSignature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: true when `header` signs `body` with `secret` and was made within
 * `toleranceSeconds` of `now` (a replayed old delivery is refused).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  now = Date.now(),
  toleranceSeconds = 300,
): boolean {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header);
  if (m === null) return false;
  const t = Number(m[1]);
  if (Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const want = Buffer.from(webhookSignature(secret, t, body).slice(`t=${t},v1=`.length), 'hex');
  return timingSafeEqual(want, Buffer.from(m[2] as string, 'hex'));
}

/** A new signing secret. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * Webhook secrets at rest: the store keeps each one sealed (AES-256-GCM, bound to its bank's
 * subject, so a sealed secret copied to another bank's row does not open), and the key stays with
 * the gateways. A database dump, replica or backup alone yields no secret to forge deliveries with.
 * A secret stored before sealing (`whsec_…` as it is) is read as it is, and sealed when its bank
 * registers again.
 */
export class SecretBox {
  static readonly #PREFIX = 'sealed:v1:';
  readonly #key: KeyObject;

  /** `source` names where the key came from, for the error when it is not 32 bytes. */
  constructor(key: Buffer, source = 'the webhook secrets key') {
    if (key.length !== 32) throw new GetihuError('INVALID_CONFIG', `${source} must be 32 bytes, base64-encoded`);
    this.#key = createSecretKey(key);
  }

  /**
   * The key from `base64` (GETIHU_WEBHOOK_SECRETS_KEY: 32 bytes, base64) when given, else from
   * `file`, which is made (32 random bytes, 0600) when missing, as the key rings are.
   */
  static load(base64: string | undefined, file: string): SecretBox {
    if (base64 !== undefined && base64 !== '') return new SecretBox(Buffer.from(base64, 'base64'), 'GETIHU_WEBHOOK_SECRETS_KEY');
    if (!existsSync(file)) {
      // Written aside and linked into place: a gateway starting beside this one reads a whole key
      // or makes none (the link fails when the file is there), never a half-written one.
      mkdirSync(dirname(file), { recursive: true });
      const aside = `${file}.${process.pid}.${randomUUID()}`;
      writeFileSync(aside, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      try {
        linkSync(aside, file);
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
      } finally {
        rmSync(aside, { force: true });
      }
    }
    return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), `the key in ${file}`);
  }

  /** `secret` sealed for `subject`'s row. */
  seal(secret: string, subject: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv).setAAD(Buffer.from(subject, 'utf8'));
    const sealed = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
    return `${SecretBox.#PREFIX}${Buffer.concat([iv, c.getAuthTag(), sealed]).toString('base64url')}`;
  }

  /** The secret in `stored` (sealed for `subject`, or stored before sealing); throws when it does not open. */
  open(stored: string, subject: string): string {
    if (!stored.startsWith(SecretBox.#PREFIX)) return stored;
    const raw = Buffer.from(stored.slice(SecretBox.#PREFIX.length), 'base64url');
    if (raw.length < 28) throw new GetihuError('INTERNAL', 'a sealed webhook secret is cut short');
    const d = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12)).setAAD(Buffer.from(subject, 'utf8'));
    d.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      throw new GetihuError('INTERNAL', 'a sealed webhook secret does not open with this key (changed key, or an altered row)');
    }
  }
}

/** A webhook as its bank may see it: never the secret. */
export function publicWebhook(w: Webhook): Record<string, unknown> {
  return {
    url: w.url,
    cursor: encodeCorrectionCursor(w.cursor),
    failures: w.failures,
    lastError: w.lastError,
    lastAttemptAt: w.lastAttemptAt,
    lastDeliveredAt: w.lastDeliveredAt,
    nextAttemptAt: w.failures > 0 ? w.nextAttemptAt : null,
    registeredAt: w.createdAt,
  };
}

/** Endpoints claimed (and delivered to concurrently) at a time. */
const CLAIM_BATCH = 50;

/** How the deliverer behaves; the defaults suit production. */
export interface WebhookDelivererOptions {
  readonly store: Store;
  /** Opens the secrets the store keeps sealed. */
  readonly secrets: SecretBox;
  /** Called whenever something may have changed (decision events); see `DecisionCache.onChange`. */
  readonly onChange: (fn: () => void) => () => void;
  /** The origins endpoints may be on; one registered earlier and since taken off is not called. */
  readonly origins: readonly Origin[];
  /** Changes per delivery. */
  readonly pageSize?: number;
  /** Deliveries per endpoint per pass, before others get their turn. */
  readonly pagesPerPass?: number;
  /** Answer within this or the attempt failed. */
  readonly timeoutMs?: number;
  /** The first pause after a failure; it doubles with each further one, up to `maxRetryMs`. */
  readonly retryBaseMs?: number;
  readonly maxRetryMs?: number;
  /** Every so often, look anyway (retries that fell due, changes this gateway was not told of). */
  readonly tickMs?: number;
}

/**
 * Delivers due webhooks: on every change (shortly after, and once more a little later in case the
 * store was behind), and every `tickMs`. Several gateways on one database share the work: each
 * endpoint is claimed for the length of a pass, so one delivery is never made twice at once.
 */
export class WebhookDeliverer {
  readonly #o: Required<WebhookDelivererOptions>;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #stopListening: () => void;
  readonly #tick: NodeJS.Timeout;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #signalled = false;

  constructor(o: WebhookDelivererOptions) {
    this.#o = {
      pageSize: 100,
      pagesPerPass: 10,
      timeoutMs: 5000,
      retryBaseMs: 5000,
      maxRetryMs: 3_600_000,
      tickMs: 15_000,
      ...o,
    };
    this.#stopListening = o.onChange(() => {
      if (this.#signalled) return;
      this.#signalled = true;
      this.#in(250, () => {
        this.#signalled = false;
      });
      this.#in(300, () => void this.pass());
      this.#in(2000, () => void this.pass());
    });
    this.#tick = setInterval(() => void this.pass(), this.#o.tickMs);
    this.#tick.unref();
  }

  #in(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.#timers.add(t);
  }

  /** One pass over the due endpoints; a pass asked for while one runs starts again after it. */
  pass(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        // A claim lasts long enough for every page of a delivery to time out.
        const lease = Math.ceil((this.#o.timeoutMs * (this.#o.pagesPerPass + 1)) / 1000) + 30;
        do {
          this.#again = false;
          // One round: every endpoint due when it began, CLAIM_BATCH at a time; one settled in
          // this round (due again at once) waits for the next, so a round always ends.
          let before: string | undefined;
          for (;;) {
            const { at, due } = await this.#o.store.webhooks.claim(lease, CLAIM_BATCH, before);
            before ??= at;
            await Promise.all(due.map((w) => this.#deliver(w)));
            if (due.length < CLAIM_BATCH || this.#stopped) break;
          }
        } while (this.#again && !this.#stopped);
      } catch (err) {
        // The store is unavailable: the claims lapse and the next tick tries again.
        process.stderr.write(`gateway: webhook deliveries paused: ${(err as Error)?.message ?? String(err)}\n`);
      } finally {
        this.#running = null;
      }
    })();
    return this.#running;
  }

  async #deliver(w: Webhook): Promise<void> {
    let after = w.cursor;
    let attempted = false;
    for (let page = 0; page < this.#o.pagesPerPass; page++) {
      const list = await this.#o.store.corrections.after(w.subject, BANK_READS, after, this.#o.pageSize);
      const last = list.at(-1)?.position;
      if (last === undefined) break;
      const body = JSON.stringify({ corrections: list.map((c) => c.correction), cursor: encodeCorrectionCursor(last) });
      attempted = true;
      const error = isAllowed(w.url, this.#o.origins) ? await this.#post(w, body) : 'origin no longer allowed';
      await recordAudit(this.#o.store, {
        subject: w.subject,
        role: 'bank',
        action: 'credit-tags.corrections.webhook',
        purpose: null,
        creditCode: null,
        outcome: error === null ? `${list.length} delivered` : `failed: ${error}`,
      });
      if (error !== null) {
        const retryInMs = Math.min(this.#o.retryBaseMs * 2 ** Math.min(w.failures, 20), this.#o.maxRetryMs);
        await this.#o.store.webhooks.settled(w.subject, w.id, { error, retryInMs });
        return;
      }
      await this.#o.store.webhooks.advanced(w.subject, w.id, last);
      after = last;
      if (list.length < this.#o.pageSize) break;
      if (page === this.#o.pagesPerPass - 1) this.#again = true;
    }
    await this.#o.store.webhooks.settled(w.subject, w.id, { attempted });
  }

  /** POSTs one delivery; null when acknowledged, else what went wrong (for the bank to read). */
  async #post(w: Webhook, body: string): Promise<string | null> {
    const t = Math.floor(Date.now() / 1000);
    let secret: string;
    try {
      secret = this.#o.secrets.open(w.secret, w.subject);
    } catch {
      // Recorded for the bank (and retried, in case the right key comes back); never sent unsigned.
      return 'the signing secret cannot be read; register the endpoint again';
    }
    const url = new URL(w.url);
    // Resolved once, checked, and connected to as resolved (F6): a name that resolves to a
    // loopback, private or link-local address is refused unless the operator's list names that
    // host itself, and a second lookup at connect time cannot point the delivery elsewhere.
    const target = await resolveTarget(url, this.#o.origins);
    if (typeof target === 'string') return target;
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'getihu-webhooks/1',
      'getihu-delivery': randomUUID(),
      'getihu-signature': webhookSignature(secret, t, body),
    };
    return new Promise((resolve) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: 'POST',
          headers,
          timeout: this.#o.timeoutMs,
          lookup: (_host, options, cb) => {
            const all = (options as { all?: boolean }).all === true;
            if (all) (cb as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
            else (cb as (e: null, a: string, f: number) => void)(null, target.address, target.family);
          },
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? null : `HTTP ${status}`);
        },
      );
      req.on('timeout', () => {
        req.destroy();
        resolve('no answer in time');
      });
      // What failed on the network stays in the log: the bank learns only that it did (no
      // refused-or-open answer per port to scan with).
      req.on('error', () => resolve('could not deliver'));
      req.end(body);
    });
  }

  /** Stops delivering; a pass under way finishes its current posts. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopListening();
    clearInterval(this.#tick);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.#running;
  }
}

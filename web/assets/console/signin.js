/**
 * Signing in at the identity provider, where the gateway names one (GET /console/sign-in): the
 * OpenID Connect authorisation code flow with PKCE (RFC 7636, S256) for a public client. The
 * console reads the provider's discovery document, sends the browser to its authorisation
 * endpoint with a fresh verifier's challenge and a state, and, back at /console with a code,
 * checks the state (and the issuer, RFC 9207), then trades the code and the verifier for the
 * access token at the token endpoint. The verifier and the state live in sessionStorage for the
 * round trip only.
 */
const PENDING = 'getihu.pkce';

const b64url = (bytes) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const redirectUri = () => `${location.origin}/console`;

/** The provider the gateway names for the console, or null (a pasted token on the development default). */
export async function providerOf() {
  const r = await fetch('/console/sign-in', { headers: { accept: 'application/json' } });
  return r.ok ? (await r.json()).provider : null;
}

async function discover(issuer) {
  const r = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!r.ok) throw new Error(`the identity provider's discovery document answered ${r.status}`);
  return r.json();
}

/** Sends the browser to the provider's sign-in. */
export async function startSignIn(provider) {
  const d = await discover(provider.issuer);
  const verifier = random(32);
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const state = random(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, tokenEndpoint: d.token_endpoint }));
  const url = new URL(d.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    ...(provider.resource === undefined ? {} : { resource: provider.resource }),
  });
  location.assign(url);
}

/** Whether this page is the provider's answer (a code or an error in the query). */
export const isAnswer = () => {
  const q = new URLSearchParams(location.search);
  return q.has('code') || q.has('error');
};

/** Completes a sign-in the provider answered: the access token, or an Error saying why not. */
export async function finishSignIn(provider) {
  const q = new URLSearchParams(location.search);
  history.replaceState(null, '', '/console');
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  if (q.has('error')) throw new Error(`${q.get('error')}: ${q.get('error_description') ?? ''}`);
  if (pending === null || q.get('state') !== pending.state)
    throw new Error('the sign-in answer is not the one this tab asked for');
  if (q.has('iss') && q.get('iss') !== provider.issuer) throw new Error('the sign-in answer comes from another issuer');
  const r = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: q.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: provider.clientId,
      code_verifier: pending.verifier,
      ...(provider.resource === undefined ? {} : { resource: provider.resource }),
    }),
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok || typeof answer.access_token !== 'string')
    throw new Error(`the token endpoint answered ${r.status}: ${answer.error ?? ''} ${answer.error_description ?? ''}`);
  return answer.access_token;
}

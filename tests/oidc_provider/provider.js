// A real OpenID Connect provider for the sign-in tests (tests/accounts/test_oidc_browser.py).
//
// panva's oidc-provider (OpenID Certified) on loopback, with one confidential client, PKCE required, RS256 ID
// tokens, RP-initiated logout, and a plain login page where the test types the subject and picks the assurance
// (acr) the provider asserts. Settings come from the environment; the process prints "READY <issuer>" when it
// listens. A few test-only knobs under /test/ (loopback only) let a test break things the way an attacker or a
// slow network would: sign ID tokens with a key the published JWKS does not hold, or let codes expire at once.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID;
const clientSecret = process.env.CLIENT_SECRET;
const redirectUri = process.env.REDIRECT_URI;
const postLogoutRedirectUri = process.env.POST_LOGOUT_REDIRECT_URI;

function rsaJwk(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}

// The key that signs, and a second key with the same kid: publishing the second instead makes every ID token
// "signed by another key" as the app sees it.
const signingKey = rsaJwk('test-key');
const otherKey = rsaJwk('test-key');
const publicPart = ({ kty, n, e, kid, use, alg }) => ({ kty, n, e, kid, use, alg });

const knobs = {
  publishOtherKey: false,
  codeTtlSeconds: 60,
  forgeState: false,
  forgeNonce: false,
  replayLastCode: false,
  holdAnswerMs: 0,
};
const seen = { lastCode: '', lastCallback: '' };
const knobDefaults = { ...knobs };

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutRedirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [signingKey] },
  acrValues: ['AAL1_USERPASS', 'AAL3_ANY'],
  claims: { openid: ['sub'] },
  cookies: { keys: ['test-only-cookie-key-not-a-secret'] },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true, logoutSource } },
  pkce: { required: () => true },
  ttl: { AuthorizationCode: () => knobs.codeTtlSeconds, Session: 3600, Grant: 3600, IdToken: 600, AccessToken: 600 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
});
provider.proxy = false;

async function logoutSource(ctx, form) {
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign out of the test provider</title></head>
<body><main><h1>Sign out of the test provider?</h1>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button></main></body></html>`;
}

function loginPage(uid, prompt) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1><p>${escape(prompt)}</p>
<form method="post" action="/interaction/${escape(uid)}">
<label for="sub">Subject</label> <input id="sub" name="sub" required>
<label for="acr">Assurance</label> <select id="acr" name="acr">
<option value="AAL3_ANY">AAL3_ANY (smartcard)</option><option value="AAL1_USERPASS">AAL1_USERPASS (password)</option>
</select>
<button type="submit">Continue</button></form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid, details.prompt.name));
    return;
  }
  const form = await readForm(req);
  const accountId = form.get('sub');
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId, acr: form.get('acr') || 'AAL1_USERPASS', amr: ['pwd'] }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

// The provider's answers to the browser (a redirect to the app's callback with code and state), seen and, when a
// knob says so, altered on their way.
function alterAnswers(res) {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) => {
    if (name.toLowerCase() === 'location' && typeof value === 'string' && value.startsWith(redirectUri)) {
      const answer = new URL(value);
      const code = answer.searchParams.get('code') || '';
      if (knobs.replayLastCode && seen.lastCode) answer.searchParams.set('code', seen.lastCode);
      if (knobs.forgeState) answer.searchParams.set('state', 'forged-state');
      seen.lastCode = code;
      seen.lastCallback = answer.href;
      value = knobs.holdAnswerMs ? `${issuer}/test/hold?to=${encodeURIComponent(answer.href)}` : answer.href;
    }
    return setHeader(name, value);
  };
}

const callback = provider.callback();

http
  .createServer(async (req, res) => {
    try {
      const url = new URL(req.url, issuer);
      if (url.pathname === '/auth' && knobs.forgeNonce && url.searchParams.has('nonce')) {
        url.searchParams.set('nonce', 'forged-nonce');
        req.url = `${url.pathname}${url.search}`;
      }
      alterAnswers(res);
      if (url.pathname === '/test/hold') {
        await new Promise((resolve) => setTimeout(resolve, knobs.holdAnswerMs));
        res.writeHead(303, { location: url.searchParams.get('to') });
        return res.end();
      }
      if (url.pathname === '/test/last-callback') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(seen.lastCallback);
      }
      const match = url.pathname.match(/^\/interaction\/([^/]+)$/);
      if (match) return await interaction(req, res, match[1]);
      if (url.pathname === '/test/knobs' && req.method === 'POST') {
        const form = await readForm(req);
        if (form.has('reset')) Object.assign(knobs, knobDefaults);
        for (const [name, value] of form) {
          if (name in knobs) knobs[name] = typeof knobDefaults[name] === 'boolean' ? value === '1' : Number(value);
        }
        res.writeHead(204);
        return res.end();
      }
      if (url.pathname === '/jwks' && knobs.publishOtherKey) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ keys: [publicPart(otherKey)] }));
      }
      return callback(req, res);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error && error.message));
    }
  })
  .listen(port, '127.0.0.1', () => {
    console.log(`READY ${issuer}`);
  });

// A local OpenID provider configured like FranceConnect v2, for the tests only (npm
// oidc-provider). Never served to users.
//
// ES256 key generated at start; ID token and userinfo signed ES256 (userinfo as a JWT);
// pairwise `sub`; acr_values "eidas1"; client_secret_post; the FranceConnect scopes and claims;
// end_session with post_logout_redirect_uri and state. The login is a one-button page that
// signs in a fixed test identity (Playwright clicks « Continuer »): it shows again only when
// the provider's session is gone (after a logout).
//
// Environment: OP_CLIENT_ID, OP_CLIENT_SECRET, OP_REDIRECT_URIS and
// OP_POST_LOGOUT_REDIRECT_URIS (comma-separated), OP_IDENTITY (JSON claims, optional),
// OP_PORT (0 or unset: a free port). Listens on 127.0.0.1 and prints
// "READY http://127.0.0.1:<port>" on stdout once it answers.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const env = (name, fallback) => process.env[name] ?? fallback;
const list = (value) => value.split(',').map((item) => item.trim()).filter(Boolean);

const PIVOT = ['given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry'];
const IDENTITY = {
  given_name: 'Angela Claire Louise',
  family_name: 'DUBOIS',
  preferred_username: '',
  birthdate: '1962-08-24',
  gender: 'female',
  birthplace: '75107',
  birthcountry: '99100',
  email: 'wossewodda-3728@yopmail.com',
  ...JSON.parse(env('OP_IDENTITY', '{}')),
};
const ACCOUNT_ID = 'test-citizen';
const SALT = randomBytes(16).toString('hex');

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

const server = createServer();
await new Promise((resolve) => { server.listen(Number(env('OP_PORT', '0')), '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-op-es256', alg: 'ES256', use: 'sig' };

const configuration = {
  clients: [{
    client_id: env('OP_CLIENT_ID', 'gru-test'),
    client_secret: env('OP_CLIENT_SECRET', 'gru-test-secret-0123456789abcdef0123456789'),
    redirect_uris: list(env('OP_REDIRECT_URIS', '')),
    post_logout_redirect_uris: list(env('OP_POST_LOGOUT_REDIRECT_URIS', '')),
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'ES256',
    userinfo_signed_response_alg: 'ES256',
    subject_type: 'pairwise',
  }],
  jwks: { keys: [signingKey] },
  acrValues: ['eidas1'],
  subjectTypes: ['public', 'pairwise'],
  async pairwiseIdentifier(ctx, accountId, client) {
    return createHash('sha256').update(`${client.sectorIdentifier}|${accountId}|${SALT}`).digest('hex') + 'v1';
  },
  claims: {
    openid: ['sub'],
    identite_pivot: PIVOT,
    ...Object.fromEntries([...PIVOT, 'preferred_username', 'email'].map((claim) => [claim, [claim]])),
  },
  features: {
    devInteractions: { enabled: false },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // FranceConnect signs out without asking: the form submits itself.
      async logoutSource(ctx, form) {
        const nonce = randomBytes(16).toString('base64');
        ctx.set('Content-Security-Policy', `script-src 'nonce-${nonce}'`);
        ctx.body = page('Déconnexion', `${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<script nonce="${nonce}">
  const form = document.getElementById('op.logoutForm');
  const input = document.createElement('input');
  input.type = 'hidden'; input.name = 'logout'; input.value = 'yes';
  form.appendChild(input); form.submit();
</script>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Déconnecté', '<p>Vous êtes déconnecté.</p>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => false },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub, ...IDENTITY }; } };
  },
  // No consent screen: FranceConnect's consent is out of the tests' scope.
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
    await grant.save();
    return grant;
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Erreur du fournisseur de test', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
};

const provider = new Provider(issuer, configuration);

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'POST' && match[2]) {
    await provider.interactionFinished(ctx.req, ctx.res, {
      login: { accountId: ACCOUNT_ID, acr: 'eidas1', amr: ['pwd'] },
    }, { mergeWithLastSubmission: false });
    ctx.respond = false;
    return undefined;
  }
  ctx.type = 'html';
  ctx.body = page('Fournisseur d\'identité de test', `
<p>Prompt : ${escape(details.prompt.name)}. Identité : ${escape(IDENTITY.given_name)} ${escape(IDENTITY.family_name)}.</p>
<form method="post" action="/interaction/${escape(details.uid)}/login"><button type="submit">Continuer</button></form>`);
  return undefined;
});

server.on('request', provider.callback());
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.stdout.write(`READY ${issuer}\n`);

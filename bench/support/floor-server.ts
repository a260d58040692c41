// The floor of this stack, for bench:login: a bare oidc-provider (memory adapter, no database) whose
// one interaction page is a form with a username field that finishes the sign-in (no hash, no second
// factor), set up like the real server where it matters to a sign-in's cost (RS256 ID tokens,
// signed cookies, a first-party client granted without consent, the same claims asked).
// Plain JavaScript once Node strips the types: `node bench/support/floor-server.ts` with env PORT,
// CLIENT_SECRET and REDIRECT_URI.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'bench',
      client_secret: process.env.CLIENT_SECRET!,
      redirect_uris: [process.env.REDIRECT_URI!],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'floor', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: ['floor cookie key'], long: { signed: true, httpOnly: true, sameSite: 'lax' }, short: { signed: true, httpOnly: true, sameSite: 'lax' } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  features: { devInteractions: { enabled: false } },
  async findAccount(_ctx, sub) {
    return { accountId: sub, claims: async () => ({ sub, email: `${sub}@bench.example`, email_verified: true }) };
  },
  async loadExistingGrant(ctx: KoaContextWithOIDC) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
    grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid'));
    await grant.save();
    return grant;
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
});

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(ctx.path);
  if (!match) return next();
  const interaction = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET' && !match[2]) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Sign in</title><form method="post" action="/interaction/${interaction.uid}/login"><input name="login"><button>Sign in</button></form>`;
    return;
  }
  if (ctx.method !== 'POST' || !match[2]) return next();
  const login = new URLSearchParams(await text(ctx.req)).get('login') ?? '';
  if (!/^[\w.@-]{1,100}$/.test(login)) ctx.throw(400, 'a username, please');
  // As the real server finishes: the result stored on the interaction already loaded.
  interaction.result = { login: { accountId: login } };
  await interaction.persist();
  ctx.status = 303;
  ctx.redirect(interaction.returnTo);
});

function text(req: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

createServer(provider.callback()).listen(port, '127.0.0.1');
// Exits on SIGTERM so that a --cpu-prof profile (BENCH_FLOOR_NODE_OPTIONS) is written.
process.on('SIGTERM', () => process.exit(0));

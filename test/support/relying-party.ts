// The application side of a test, built on openid-client: registers a client, starts an
// authorization request, and walks a user through the provider's pages.
import * as oidc from 'openid-client';
import type { TestServer } from './test-server.js';
import type { Page, UserAgent } from './user-agent.js';

export const REDIRECT_URI = 'http://127.0.0.1:1/cb';

export interface RelyingParty {
  config: oidc.Configuration;
  clientId: string;
  clientSecret?: string;
}

export async function registerRelyingParty(
  server: TestServer,
  options: { clientId?: string; public?: boolean; firstParty?: boolean; backchannelLogoutUri?: string } = {},
): Promise<RelyingParty> {
  const clientId = options.clientId ?? 'test-app';
  const { clientSecret } = await server.app.services.clients.add({
    clientId,
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: ['http://127.0.0.1:1/bye'],
    public: options.public ?? false,
    firstParty: options.firstParty ?? true,
    backchannelLogoutUri: options.backchannelLogoutUri,
  });
  const auth = clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None();
  const config = await oidc.discovery(new URL(server.url), clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
  return { config, clientId, clientSecret };
}

export interface Authorization {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function startAuthorization(rp: RelyingParty, extra: Record<string, string> = {}): Promise<Authorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(rp.config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile phone',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

export async function exchange(rp: RelyingParty, auth: Authorization, callbackUrl: string) {
  return oidc.authorizationCodeGrant(rp.config, new URL(callbackUrl), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
}

/** Opens the authorization URL and returns the first interaction page. */
export async function openLogin(agent: UserAgent, auth: Authorization): Promise<Page> {
  return agent.follow(await agent.get(auth.url.href));
}

export const isCallback = (url: string) => url.startsWith(REDIRECT_URI);

/** Password, then the PIN that `readPin` fetches; returns the callback URL. */
export async function signInWithPin(
  agent: UserAgent,
  auth: Authorization,
  login: string,
  password: string,
  readPin: () => Promise<string>,
): Promise<string> {
  const loginPage = await openLogin(agent, auth);
  const pinPage = await agent.follow(await agent.submit(loginPage, '/step/password', { login, password }));
  if (!pinPage.html.includes('name="pin"')) throw new Error(`expected the PIN page, got:\n${pinPage.html.slice(0, 1500)}`);
  const done = await agent.follow(await agent.submit(pinPage, '/step/pin', { action: 'verify', pin: await readPin() }), isCallback);
  if (!isCallback(done.url)) throw new Error(`expected a redirect to the application, got ${done.status}:\n${done.html.slice(0, 1500)}`);
  return done.url;
}

// One complete sign-in as an application and a person do it: authorize → password → second factor
// → redirect with the code → token request (ID token checked by openid-client); and the same code
// flow around any other pages (the floor server's one form).
import * as oidc from 'openid-client';
import { isCallback, REDIRECT_URI } from '../../test/support/relying-party.js';
import { type Page, UserAgent } from '../../test/support/user-agent.js';
import { keepAliveTransport } from './keep-alive-transport.js';

export interface SignInTiming {
  /** ms for the whole sign-in */
  total: number;
  /** ms for the request that submits the second factor (not the redirects that follow it) */
  secondFactor: number;
}

/** Called just before and just after the second-factor request (to sample server CPU around it). */
export interface Probe {
  before(): void;
  after(): void;
}

/** `secondFactor` submits the second-factor page and returns the response to follow. */
export async function signIn(
  rp: oidc.Configuration,
  login: string,
  password: string,
  secondFactor: (agent: UserAgent, page: Page) => Promise<Page>,
  probe?: Probe,
): Promise<SignInTiming> {
  let ms = 0;
  const total = await codeFlow(rp, login, async (agent, loginPage) => {
    const factorPage = await agent.follow(await agent.submit(loginPage, '/step/password', { login, password }));
    const t1 = performance.now();
    probe?.before();
    const response = await secondFactor(agent, factorPage);
    probe?.after();
    ms = performance.now() - t1;
    return response;
  });
  return { total, secondFactor: ms };
}

/**
 * The application's side of any sign-in: authorize, the first page, `interact` (the pages in between,
 * returning the last response), the redirect back with the code, the token request. Returns its ms.
 */
export async function codeFlow(
  rp: oidc.Configuration,
  who: string,
  interact: (agent: UserAgent, firstPage: Page) => Promise<Page>,
  check: (claims: oidc.IDToken) => boolean = () => true,
): Promise<number> {
  const t0 = performance.now();
  const agent = new UserAgent({}, keepAliveTransport);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const firstPage = await agent.follow(await agent.get(url.href));
  const done = await agent.follow(await interact(agent, firstPage), isCallback);
  if (!isCallback(done.url)) throw new Error(`sign-in of ${who} did not return to the application:\n${done.html.slice(0, 800)}`);
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(done.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const claims = tokens.claims();
  if (!claims?.sub || !check(claims)) throw new Error(`no ID token as expected for ${who}: ${JSON.stringify(claims)}`);
  return performance.now() - t0;
}

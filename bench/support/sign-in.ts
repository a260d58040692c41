// One complete sign-in as an application and a person do it: authorize → password → second factor
// → redirect with the code → token request (ID token checked by openid-client).
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
  const loginPage = await agent.follow(await agent.get(url.href));
  const factorPage = await agent.follow(await agent.submit(loginPage, '/step/password', { login, password }));
  const answer = await prepareAnswer(agent, factorPage, secondFactor, probe);
  const done = await agent.follow(answer.page, isCallback);
  if (!isCallback(done.url)) throw new Error(`sign-in of ${login} did not return to the application:\n${done.html.slice(0, 800)}`);
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(done.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  if (!tokens.claims()?.sub) throw new Error('no ID token');
  return { total: performance.now() - t0, secondFactor: answer.ms };
}

async function prepareAnswer(agent: UserAgent, page: Page, secondFactor: (agent: UserAgent, page: Page) => Promise<Page>, probe?: Probe) {
  const t1 = performance.now();
  probe?.before();
  const response = await secondFactor(agent, page);
  probe?.after();
  return { page: response, ms: performance.now() - t1 };
}

// One complete passwordless sign-in as an application and a person with a passkey do it: authorize →
// the sign-in page's passkey options → the authenticator's assertion → redirect with the code → token
// request (ID token checked by openid-client). No password, so no hash on the path.
import * as oidc from 'openid-client';
import { isCallback, REDIRECT_URI } from '../../test/support/relying-party.js';
import { passkeyOptionsIn, type SoftAuthenticator } from '../../test/support/soft-authenticator.js';
import { UserAgent } from '../../test/support/user-agent.js';
import { keepAliveTransport } from './keep-alive-transport.js';

/** Returns the ms the whole sign-in took. */
export async function passkeySignIn(rp: oidc.Configuration, login: string, authenticator: SoftAuthenticator): Promise<number> {
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
  const assertion = authenticator.authenticate(passkeyOptionsIn(loginPage.html, '/step/passkey'));
  const answer = await agent.submit(loginPage, '/step/passkey', { action: 'authenticate', response: JSON.stringify(assertion) });
  const done = await agent.follow(answer, isCallback);
  if (!isCallback(done.url)) throw new Error(`passkey sign-in of ${login} did not return to the application:\n${done.html.slice(0, 800)}`);
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(done.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  const claims = tokens.claims();
  if (!claims?.sub || !(claims.amr as string[] | undefined)?.includes('user')) throw new Error(`no passwordless ID token for ${login}`);
  return performance.now() - t0;
}

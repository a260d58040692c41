// One complete passwordless sign-in as an application and a person with a passkey do it: authorize →
// the sign-in page's passkey options → the authenticator's assertion → redirect with the code → token
// request (ID token checked by openid-client). No password, so no hash on the path.
import type * as oidc from 'openid-client';
import { passkeyOptionsIn, type SoftAuthenticator } from '../../test/support/soft-authenticator.js';
import { codeFlow } from './sign-in.js';

/** Returns the ms the whole sign-in took. */
export function passkeySignIn(rp: oidc.Configuration, login: string, authenticator: SoftAuthenticator): Promise<number> {
  return codeFlow(
    rp,
    login,
    (agent, loginPage) => {
      const assertion = authenticator.authenticate(passkeyOptionsIn(loginPage.html, '/step/passkey'));
      return agent.submit(loginPage, '/step/passkey', { action: 'authenticate', response: JSON.stringify(assertion) });
    },
    // Passwordless: the passkey's user verification is in amr.
    (claims) => ((claims.amr as string[] | undefined) ?? []).includes('user'),
  );
}

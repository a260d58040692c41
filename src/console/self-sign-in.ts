// Pages of the provider itself (My Profile, the admin console, the demo) sign users in through the
// provider like any application: openid-client, authorization code + PKCE, ID token in a sealed cookie.
import { localPath } from '../http/local-path.js';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import { internalFetch } from './internal-fetch.js';
import type { SecretBox } from '../security/secret-box.js';
import { type Clock, systemClock } from '../support/clock.js';

export interface ConsoleSession {
  sub: string;
  /** Epoch seconds of the last full authentication. */
  authTime: number;
  amr: string[];
  idToken: string;
  claims: Record<string, unknown>;
  /** Epoch ms after which the cookie is no longer honoured. */
  exp: number;
  /** Epoch ms (service clock) when this session began; absent in cookies written before it existed. */
  iat?: number;
}

interface Transaction {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
}

export interface SelfSignInOptions {
  clientId: string;
  /** Path prefix of the pages, e.g. /account; the callback is {basePath}/callback. */
  basePath: string;
  scope?: string;
  sessionSeconds?: number;
}

export class SelfSignIn {
  #discovered: Promise<oidc.Configuration> | undefined;
  readonly #txCookie: string;
  readonly #sessionCookie: string;

  constructor(
    private readonly config: Config,
    private readonly box: SecretBox,
    private readonly options: SelfSignInOptions,
    private readonly clock: Clock = systemClock,
  ) {
    const name = options.basePath.replace(/\W/g, '');
    this.#txCookie = `${name}_tx`;
    this.#sessionCookie = `${name}_session`;
  }

  /** Redirects to the provider; `fresh` demands a new full sign-in (password and second factor). */
  async start(ctx: Context, returnTo: string, fresh = false): Promise<void> {
    const client = await this.#client();
    const verifier = oidc.randomPKCECodeVerifier();
    const tx: Transaction = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), returnTo: this.#local(returnTo) };
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: `${this.config.issuer}${this.options.basePath}/callback`,
      scope: this.options.scope ?? 'openid email profile phone',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: tx.state,
      nonce: tx.nonce,
      ...(fresh ? { prompt: 'login', max_age: '0' } : {}),
    });
    ctx.cookies.set(this.#txCookie, this.box.seal(JSON.stringify(tx), this.#txCookie), { ...this.#cookie(), maxAge: 15 * 60 * 1000 });
    ctx.redirect(url.href);
  }

  /** Handles the callback: checks state, nonce and PKCE, keeps the session, returns where to go. */
  async finish(ctx: Context): Promise<string> {
    const tx = this.#open<Transaction>(ctx.cookies.get(this.#txCookie), this.#txCookie);
    if (!tx) throw new AppError('console.sign_in_failed');
    ctx.cookies.set(this.#txCookie, null, this.#cookie());
    let tokens;
    try {
      tokens = await oidc.authorizationCodeGrant(await this.#client(), new URL(ctx.originalUrl, this.config.issuer), {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
      });
    } catch {
      throw new AppError('console.sign_in_failed');
    }
    const claims = tokens.claims()!;
    const seconds = this.options.sessionSeconds ?? 3600;
    const session: ConsoleSession = {
      sub: claims.sub,
      authTime: Number(claims.auth_time ?? Math.floor(Date.now() / 1000)),
      amr: (claims.amr as string[] | undefined) ?? [],
      idToken: tokens.id_token!,
      claims: { ...claims },
      exp: Date.now() + seconds * 1000,
      iat: this.clock.now(),
    };
    ctx.cookies.set(this.#sessionCookie, this.box.seal(JSON.stringify(session), this.#sessionCookie), { ...this.#cookie(), maxAge: seconds * 1000 });
    return tx.returnTo;
  }

  session(ctx: Context): ConsoleSession | undefined {
    const session = this.#open<ConsoleSession>(ctx.cookies.get(this.#sessionCookie), this.#sessionCookie);
    return session && session.exp > Date.now() ? session : undefined;
  }

  /** Whether the account's sessions were ended (password changed, account disabled…) after this one began. */
  endedSince(session: ConsoleSession, user: { sessionsEndedAt: number | null }): boolean {
    return user.sessionsEndedAt !== null && (session.iat ?? session.authTime * 1000) <= user.sessionsEndedAt;
  }

  /** Drops the local session without signing out at the provider. */
  forget(ctx: Context): void {
    ctx.cookies.set(this.#sessionCookie, null, this.#cookie());
  }

  /** Whether the last full sign-in is recent enough for a sensitive change. */
  isFresh(session: ConsoleSession, maxAgeSeconds: number): boolean {
    return this.clock.now() / 1000 - session.authTime <= maxAgeSeconds;
  }

  /** Ends the local session and returns the provider's end-session URL. */
  async end(ctx: Context, postLogoutPath: string): Promise<string> {
    const session = this.session(ctx);
    ctx.cookies.set(this.#sessionCookie, null, this.#cookie());
    const url = oidc.buildEndSessionUrl(await this.#client(), {
      post_logout_redirect_uri: `${this.config.issuer}${postLogoutPath}`,
      ...(session ? { id_token_hint: session.idToken } : {}),
    });
    return url.href;
  }

  #client(): Promise<oidc.Configuration> {
    const { issuer, internalUrl } = this.config;
    this.#discovered ??= oidc
      .discovery(new URL(issuer), this.options.clientId, undefined, oidc.None(), {
        execute: issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
        ...(internalUrl ? { [oidc.customFetch]: internalFetch(issuer, internalUrl) } : {}),
      })
      .catch((err) => {
        this.#discovered = undefined;
        throw err;
      });
    return this.#discovered;
  }

  #cookie() {
    return { httpOnly: true, sameSite: 'lax' as const, secure: this.config.issuer.startsWith('https://'), path: this.options.basePath, overwrite: true };
  }

  #open<T>(sealed: string | undefined, context: string): T | undefined {
    if (!sealed) return undefined;
    try {
      return JSON.parse(this.box.openText(sealed, context)) as T;
    } catch {
      return undefined;
    }
  }

  /** Only paths on this server, in this area: never an open redirect. */
  #local(path: string): string {
    return localPath(path, this.options.basePath, this.options.basePath);
  }
}

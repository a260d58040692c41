// The error paths of a sign-in: what an expired, unknown or locked sign-in can offer instead of a dead
// end — starting again at the application's own request, the lock's end, and the sign-in's language.
import type Provider from 'oidc-provider';
import type { AccountDirectory } from '../audit/account-directory.js';
import { CONSOLE_CLIENT_ID } from '../console/console-client.js';
import { AppError } from '../errors/app-error.js';

type Params = Record<string, string | number>;

/** The authorization request's parameters a new /auth needs; the rest (a PAR's request_uri…) cannot be replayed. */
const REPLAYABLE = /^(client_id|redirect_uri|response_type|response_mode|scope|state|nonce|code_challenge|code_challenge_method|prompt|max_age|ui_locales|acr_values|login_hint|claims|resource)$/;

export class SignInWaysOut {
  constructor(
    private readonly provider: Provider,
    private readonly accounts: AccountDirectory,
  ) {}

  /** An error of the sign-in `uid` with the ways on it allows: start again, a lock's end; `uiLocales` for its page. */
  async decorate(err: AppError, uid: string | undefined, login?: string): Promise<AppError> {
    if (err.code !== 'flow.expired' && err.code !== 'login.locked') return err;
    const interaction = uid ? await this.provider.Interaction.find(uid).catch(() => undefined) : undefined;
    const params: Params = { ...err.params, ...(interaction ? await this.#restart(interaction.params) : {}) };
    if (typeof interaction?.params.ui_locales === 'string') params.uiLocales = interaction.params.ui_locales;
    if (err.code === 'login.locked') {
      const accountId = (interaction?.result as { flow?: { accountId?: string } } | undefined)?.flow?.accountId;
      Object.assign(params, await this.lockParams(accountId, login));
    }
    return new AppError(err.code, params, err.status);
  }

  /** `lockLeftMs` or `untilUnlocked` (LockLeft, put in words by lock-words.ts), for an account locked now; nothing otherwise. */
  async lockParams(accountId?: string | null, login?: string | null): Promise<Params> {
    const lock = await this.accounts.lock({ id: accountId, login });
    if (!lock) return {};
    return lock.left === null ? { untilUnlocked: 1 } : { lockLeftMs: lock.left };
  }

  async #restart(request: Record<string, unknown>): Promise<Params> {
    const clientId = typeof request.client_id === 'string' ? request.client_id : undefined;
    const client = clientId ? await this.provider.Client.find(clientId).catch(() => undefined) : undefined;
    if (!client) return {};
    const first = client.redirectUris?.[0];
    // The provider's own pages start their sign-in themselves, from their home page.
    if (client.clientId === CONSOLE_CLIENT_ID && first) return { restart: new URL(first).pathname.replace(/\/callback$/, '') || '/account' };
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(request)) if (REPLAYABLE.test(k) && typeof v === 'string') query.set(k, v);
    const replayable = query.has('redirect_uri') && query.has('response_type') && !client['require_pushed_authorization_requests'];
    return {
      ...(replayable ? { restart: `/auth?${query}` } : {}),
      ...(first && !replayable ? { application: first, client: client.clientName ?? client.clientId } : {}),
    };
  }
}

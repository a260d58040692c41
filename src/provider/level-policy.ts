// Step-up: a signed-in user whose session is below the level this request needs (the application's
// rule, or the request's acr_values / essential acr claim) is sent to the sign-in again, which asks
// only for what is missing (the flow starts from the session's proofs).
import { type Configuration, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { isLevel, type Level, meets } from '../authenticators/assurance.js';
import { requestedLevel } from '../interactions/requested-level.js';

/** The application's minimum level. */
export type RuleLevel = (clientId: string) => Promise<Level>;

export function levelPolicy(ruleLevel: RuleLevel): NonNullable<Configuration['interactions']>['policy'] {
  const { Check, base } = interactionPolicy;
  const policy = base();
  policy.get('login')!.checks.add(
    new Check('acr_level', 'a stronger authentication is required', async (ctx: KoaContextWithOIDC) => {
      const { session, client, params } = ctx.oidc;
      if (!session?.accountId || !client) return Check.NO_NEED_TO_PROMPT;
      const rule = await ruleLevel(client.clientId);
      const asked = requestedLevel(params as Record<string, unknown>).required;
      const required = asked && meets(asked, rule) ? asked : rule;
      const reached = isLevel(session.acr) ? session.acr : undefined;
      return meets(reached, required) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

// The level a request asks for beyond the application's rule: `acr_values` (the weakest listed level
// the application accepts) or an essential `acr` claim (its values).
import { isLevel, LEVELS, type Level } from '../authenticators/assurance.js';

export interface RequestedLevel {
  /** The weakest level the request accepts, if it names any we know. */
  required?: Level;
  /** An essential acr claim's values: the ID token's acr must be one of them. */
  essential?: Level[];
}

export function requestedLevel(params: Record<string, unknown>): RequestedLevel {
  const listed = typeof params.acr_values === 'string' ? params.acr_values.split(' ').filter(isLevel) : [];
  const essential = essentialAcrs(params.claims);
  const candidates = essential ?? listed;
  const required = candidates.length ? LEVELS.find((l) => candidates.includes(l)) : undefined;
  return { required, essential };
}

function essentialAcrs(claims: unknown): Level[] | undefined {
  if (typeof claims !== 'string') return undefined;
  try {
    const acr = (JSON.parse(claims) as { id_token?: { acr?: { essential?: boolean; value?: unknown; values?: unknown } } }).id_token?.acr;
    if (!acr?.essential) return undefined;
    const values = Array.isArray(acr.values) ? acr.values : [acr.value];
    const known = values.filter(isLevel);
    return known.length ? known : undefined;
  } catch {
    return undefined;
  }
}

/** The `acr` to put in the ID token: the level reached, or, for an essential claim, the strongest listed value it meets. */
export function reportedAcr(reached: Level, requested: RequestedLevel): Level {
  if (!requested.essential) return reached;
  const met = requested.essential.filter((l) => LEVELS.indexOf(l) <= LEVELS.indexOf(reached));
  return met.sort((a, b) => LEVELS.indexOf(b) - LEVELS.indexOf(a))[0] ?? reached;
}

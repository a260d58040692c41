// Assurance is computed from what was proven, never asserted: the `acr` level reached and the exact
// RFC 8176 `amr` list of a set of proofs.
import { authenticators, type Category, type Proof } from './registry.js';

/** Published as `acr_values_supported`, weakest first. */
export const LEVELS = ['urn:idp:acr:1fa', 'urn:idp:acr:mfa', 'urn:idp:acr:phr'] as const;
export type Level = (typeof LEVELS)[number];
export const [ONE_FACTOR, MULTI_FACTOR, PHISHING_RESISTANT] = LEVELS;

export interface Assurance {
  /** Undefined until something was proven. */
  acr?: Level;
  amr: string[];
}

export function assess(proofs: readonly Proof[]): Assurance {
  const amr = new Set<string>();
  const categories = new Set<Category>();
  let phishingResistant = false;
  for (const proof of proofs) {
    const entry = authenticators[proof.kind];
    categories.add(entry.category);
    amr.add(proof.kind === 'passkey' ? (proof.synced ? 'swk' : 'hwk') : entry.amr);
    // User verification happens on the authenticator (PIN or biometric): not possession, so a
    // verified passkey is two categories by itself.
    if (proof.kind === 'passkey' && proof.userVerified) {
      amr.add('user');
      categories.add('inherence');
    }
    phishingResistant ||= entry.phishingResistant;
  }
  if (categories.size === 0) return { amr: [] };
  if (categories.size < 2) return { acr: ONE_FACTOR, amr: [...amr] };
  amr.add('mfa');
  return { acr: phishingResistant ? PHISHING_RESISTANT : MULTI_FACTOR, amr: [...amr] };
}

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

/** Whether `reached` is at least `required`. */
export function meets(reached: Level | undefined, required: Level): boolean {
  return reached !== undefined && LEVELS.indexOf(reached) >= LEVELS.indexOf(required);
}

/** The stronger of two levels. */
export function stronger(a: Level, b: Level): Level {
  return LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b;
}

// Every kind of authenticator the provider knows, as data: its category, its RFC 8176 method
// reference and whether it resists phishing. Steps, rules and the assurance level read this table.

export type Category = 'knowledge' | 'possession' | 'inherence';

export type AuthenticatorKind = 'password' | 'sms-pin' | 'mail-pin' | 'soft-token' | 'passkey' | 'recovery-code' | 'security-questions';

export interface AuthenticatorEntry {
  category: Category;
  /** RFC 8176 `amr` value (`mail` is ours: a PIN sent by e-mail). A passkey says `hwk` or `swk` by its proof. */
  amr: string;
  /** Bound to the origin by the authenticator itself (WebAuthn): a look-alike site cannot relay it. */
  phishingResistant: boolean;
}

export const authenticators: Readonly<Record<AuthenticatorKind, AuthenticatorEntry>> = {
  password: { category: 'knowledge', amr: 'pwd', phishingResistant: false },
  'security-questions': { category: 'knowledge', amr: 'kba', phishingResistant: false },
  'sms-pin': { category: 'possession', amr: 'sms', phishingResistant: false },
  'mail-pin': { category: 'possession', amr: 'mail', phishingResistant: false },
  'soft-token': { category: 'possession', amr: 'otp', phishingResistant: false },
  'recovery-code': { category: 'possession', amr: 'otp', phishingResistant: false },
  passkey: { category: 'possession', amr: 'hwk', phishingResistant: true },
};

/** What one step proved in one sign-in. */
export interface Proof {
  kind: AuthenticatorKind;
  /** Passkeys: the authenticator verified the user (PIN or biometric), a second category by itself. */
  userVerified?: boolean;
  /** Passkeys: a synced (backed-up) credential is a software key (`swk`), a device-bound one `hwk`. */
  synced?: boolean;
}

/** The proofs an earlier sign-in's `amr` stands for (step-up starts from them). */
export function proofsFromAmr(amr: readonly string[]): Proof[] {
  const proofs: Proof[] = [];
  for (const [kind, entry] of Object.entries(authenticators) as [AuthenticatorKind, AuthenticatorEntry][]) {
    if (kind === 'passkey' || kind === 'recovery-code' || !amr.includes(entry.amr)) continue;
    proofs.push({ kind });
  }
  for (const key of ['hwk', 'swk'] as const) {
    if (amr.includes(key)) proofs.push({ kind: 'passkey', synced: key === 'swk', userVerified: amr.includes('user') });
  }
  return proofs;
}

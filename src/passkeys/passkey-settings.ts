// Who the provider is to WebAuthn: the relying party ID and name, and the origin pages run on.
import type { Config } from '../config/config.js';

export interface PasskeySettings {
  /** The issuer's host, or the parent domain PASSKEY_RP_ID names. */
  rpId: string;
  rpName: string;
  /** The issuer's origin: every ceremony runs on the provider's own pages. */
  origin: string;
}

export function passkeySettings(config: Config): PasskeySettings {
  return { rpId: config.passkey.rpId, rpName: 'Identity Provider', origin: new URL(config.issuer).origin };
}

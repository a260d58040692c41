// Where a passkey lives, for people reading a list of them: the passkey provider its AAGUID names
// (from the community list github.com/passkeydeveloper/passkey-authenticator-aaguids), else what its
// transports suggest. A hint for recognising one's own passkeys, never a security decision: with
// attestation `none` the AAGUID is the authenticator's word, unverified.

/** A few well-known authenticators; an AAGUID not listed falls back to the transports. */
const KNOWN: Readonly<Record<string, string>> = {
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
  'dd4ec289-e01d-41c9-bb89-70fa845d4bf2': 'iCloud Keychain (managed)',
  'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
  'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
  '08987058-cadc-4b81-b6e1-30de50dcbe96': 'Windows Hello',
  '9ddd1817-af5a-4672-a2b9-3e3dd95000a9': 'Windows Hello',
  '6028b017-b1d4-4c02-b4b3-afcdafc96bb2': 'Windows Hello',
  'd3452668-01fd-4c12-926c-83a4204853aa': 'Microsoft Password Manager',
  '771b48fd-d3d4-4f74-9232-fc157ab0507a': 'Edge on Mac',
  '53414d53-554e-4700-0000-000000000000': 'Samsung Pass',
  'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
  'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
  '531126d6-e717-415c-9320-3d9aa6981239': 'Dashlane',
  'b84e4048-15dc-4dd0-8640-f4f60813c8af': 'NordPass',
  '50726f74-6f6e-5061-7373-50726f746f6e': 'Proton Pass',
  'fdb141b2-5d84-443e-8a35-4698c205a502': 'KeePassXC',
  'cb69481e-8ff7-4039-93ec-0a2729a154a8': 'YubiKey 5 Series',
  'ee882879-721c-4913-9775-3dfcce97072a': 'YubiKey 5 Series',
  'fa2b99dc-9e39-4257-8f92-4a30d23c4118': 'YubiKey 5 Series with NFC',
  '2fc0579f-8113-47ea-b116-bb5a8db9202a': 'YubiKey 5 Series with NFC',
  'c5ef55ff-ad9a-4b9f-b580-adebafe026d0': 'YubiKey 5 Series with Lightning',
  '73bb0cd4-e502-49b8-9c6f-b59445bf720b': 'YubiKey 5 FIPS Series',
};

/** What the transports say when the AAGUID does not: built in, a security key, or a phone nearby. */
export type DeviceKind = 'this-device' | 'security-key' | 'phone' | 'unknown';

export interface DeviceHint {
  /** The provider or model, when the AAGUID is a known one. */
  name?: string;
  kind: DeviceKind;
}

const KEY_TRANSPORTS = new Set(['usb', 'nfc', 'ble', 'smart-card']);

export function deviceHint(passkey: { aaguid: string; transports: readonly string[] }): DeviceHint {
  const t = passkey.transports;
  const kind: DeviceKind = t.includes('internal') ? 'this-device' : t.some((x) => KEY_TRANSPORTS.has(x)) ? 'security-key' : t.includes('hybrid') || t.includes('cable') ? 'phone' : 'unknown';
  const name = KNOWN[passkey.aaguid.toLowerCase()];
  return name ? { name, kind } : { kind };
}

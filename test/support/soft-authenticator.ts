// A software WebAuthn authenticator and browser for tests: P-256 keys, authenticator data with the
// flags and counter a test chooses, `none` attestation in CBOR and ES256 (DER) assertions, made by
// hand from the specification — and the ways a phishing page or a cloned key would get them wrong.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { type CBORType, encodeCBOR } from '@levischuck/tiny-cbor';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;

export interface SoftCredential {
  id: Buffer;
  rpId: string;
  /** base64url, as the relying party gave it at registration. */
  userHandle: string;
  privateKey: KeyObject;
  cose: Uint8Array;
  counter: number;
}

/** What a ceremony may get wrong or choose (by default: right, user verified, counter + 1). */
export interface Ceremony {
  /** The origin the browser reports (a look-alike site's, say). */
  origin?: string;
  /** The RP ID the authenticator hashes, instead of the one in the options. */
  rpId?: string;
  /** The signature counter to report (and keep). */
  counter?: number;
  userVerified?: boolean;
  /** A challenge other than the options' (an answer meant for another page). */
  challenge?: string;
  /** Which credential to use when several would do (base64url id). */
  credentialId?: string;
  /** Corrupts the signature. */
  badSignature?: boolean;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  readonly aaguid: Buffer;

  /** `synced`: a passkey provider that backs its credentials up (BE and BS flags; counter stays 0 by default). */
  constructor(
    private readonly origin: string,
    private readonly options: { synced?: boolean; aaguid?: string } = {},
  ) {
    this.aaguid = Buffer.from((options.aaguid ?? 'a11ce000-0000-4000-8000-00000000beef').replace(/-/g, ''), 'hex');
  }

  /** navigator.credentials.create(): a new discoverable credential, attestation `none`. */
  register(options: PublicKeyCredentialCreationOptionsJSON, c: Ceremony = {}): RegistrationResponseJSON {
    const rpId = c.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const excluded = new Set((options.excludeCredentials ?? []).map((d) => d.id));
    if (this.credentials.some((cred) => cred.rpId === rpId && excluded.has(cred.id.toString('base64url')))) {
      throw Object.assign(new Error('credential already registered'), { name: 'InvalidStateError' });
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = encodeCBOR(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const credential: SoftCredential = { id: randomBytes(32), rpId, userHandle: options.user.id, privateKey, cose, counter: c.counter ?? (this.options.synced ? 0 : 1) };
    this.credentials.push(credential);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const authData = Buffer.concat([this.#head(rpId, AT | this.#flags(c), credential.counter), this.aaguid, idLength, credential.id, cose]);
    const attestationObject = encodeCBOR(new Map<string, CBORType>([['fmt', 'none'], ['attStmt', new Map<string, CBORType>()], ['authData', authData]]));
    const id = credential.id.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: this.#clientData('webauthn.create', options.challenge, c),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['internal', 'hybrid'],
      },
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get(): an assertion from an allowed credential (or any, when none are listed). */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, c: Ceremony = {}): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(this.origin).hostname;
    const allowed = (options.allowCredentials ?? []).map((d) => d.id);
    const credential = this.credentials.find((cred) => {
      const id = cred.id.toString('base64url');
      return cred.rpId === rpId && (!c.credentialId || c.credentialId === id) && (allowed.length === 0 || allowed.includes(id));
    });
    if (!credential) throw Object.assign(new Error('no credential for this relying party'), { name: 'NotAllowedError' });
    credential.counter = c.counter ?? (this.options.synced ? credential.counter : credential.counter + 1);
    const authData = this.#head(c.rpId ?? rpId, this.#flags(c), credential.counter);
    const clientDataJSON = this.#clientData('webauthn.get', options.challenge, c);
    const signed = Buffer.concat([authData, createHash('sha256').update(Buffer.from(clientDataJSON, 'base64url')).digest()]);
    const signature = sign('sha256', signed, credential.privateKey);
    if (c.badSignature) signature.writeUInt8(signature.readUInt8(signature.length - 1) ^ 0x01, signature.length - 1);
    const id = credential.id.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON,
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
    };
  }

  #flags(c: Ceremony): number {
    return UP | (c.userVerified === false ? 0 : UV) | (this.options.synced ? BE | BS : 0);
  }

  #head(rpId: string, flags: number, counter: number): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flags]), count]);
  }

  #clientData(type: string, challenge: string, c: Ceremony): string {
    const json = JSON.stringify({ type, challenge: c.challenge ?? challenge, origin: c.origin ?? this.origin, crossOrigin: false });
    return Buffer.from(json).toString('base64url');
  }
}

/** The passkey options a page hands the browser: the data attribute of the form posting to `actionSuffix`. */
export function passkeyOptionsIn<T = PublicKeyCredentialRequestOptionsJSON>(html: string, actionSuffix: string): T {
  for (const [form] of html.matchAll(/<form[^>]*>/g)) {
    const action = /action="([^"]+)"/.exec(form)?.[1];
    const options = /data-passkey-options="([^"]*)"/.exec(form)?.[1];
    if (action?.endsWith(actionSuffix) && options) return JSON.parse(unescape(options)) as T;
  }
  throw new Error(`no passkey form posting to ${actionSuffix} in:\n${html.slice(0, 2000)}`);
}

function unescape(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

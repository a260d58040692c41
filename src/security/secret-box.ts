// AES-256-GCM sealing for secrets at rest (signing keys, server secrets, later TOTP seeds).
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class SecretBox {
  readonly #key: KeyObject;

  constructor(masterKey: Buffer) {
    if (masterKey.length < 32) throw new Error('the master key must be at least 32 bytes');
    // A dedicated sub-key, so the master key is never used directly for two purposes.
    // Kept as a KeyObject: a cipher keyed with a raw Buffer costs several times more to set up.
    this.#key = createSecretKey(createHmac('sha256', masterKey).update('idp/secret-box/v1').digest());
  }

  /** Seals `plain`; `context` (e.g. a row id) is bound as associated data. */
  seal(plain: string | Buffer, context = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, context = ''): Buffer {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !iv || body === undefined || !tag) throw new Error('sealed value is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
  }

  openText(sealed: string, context = ''): string {
    return this.open(sealed, context).toString('utf8');
  }
}

// The softtoken app's identity store: one JSON file, sealed with AES-256-GCM under a key that
// scrypt derives from the user's PIN, with the wrong-PIN count kept beside the ciphertext.
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { AppError } from '../errors/app-error.js';
import type { TotpAlgorithm } from '../tokens/totp.js';
import { writeAtomically } from './atomic-write.js';

export interface Identity {
  name: string;
  serial: string;
  address: string;
  /** The TOTP secret, base64. */
  secret: string;
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  period: number;
  createdAt: string;
}

export const MAX_WRONG_PINS = 5;

interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  keyLength: 32;
  salt: string;
}

interface VaultFile {
  format: 'softtoken-vault';
  version: 1;
  kdf: KdfParams;
  /**
   * Outside the ciphertext so a wrong PIN can be counted. The limit guards the app, not the file:
   * whoever copies the file can try PINs offline at scrypt's pace, which is why scrypt is costly.
   */
  wrongPins: number;
  iv: string;
  tag: string;
  data: string;
}

export type VaultState = 'missing' | 'locked' | 'ready';

const DEFAULT_KDF = { name: 'scrypt', N: 2 ** 15, r: 8, p: 1, keyLength: 32 } as const;

function deriveKey(pin: string, kdf: KdfParams): Promise<Buffer> {
  // 128·N·r bytes is exactly Node's default memory cap at N=2^15, r=8, so raise the cap.
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r };
  return new Promise((resolve, reject) =>
    scrypt(pin.normalize('NFKC'), Buffer.from(kdf.salt, 'base64'), kdf.keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** The header is bound to the ciphertext, so KDF parameters cannot be swapped underneath it. */
const aad = (f: Pick<VaultFile, 'format' | 'version' | 'kdf'>) => Buffer.from(JSON.stringify({ format: f.format, version: f.version, kdf: f.kdf }));

function isPow2(n: unknown): boolean {
  return Number.isInteger(n) && (n as number) > 1 && ((n as number) & ((n as number) - 1)) === 0;
}

function parseFile(text: string, file: string): VaultFile {
  const corrupt = () => new AppError('softtoken.vault_corrupt', { file });
  let f: VaultFile;
  try {
    f = JSON.parse(text) as VaultFile;
  } catch {
    throw corrupt();
  }
  const k = f?.kdf;
  const sane =
    f?.format === 'softtoken-vault' &&
    f.version === 1 &&
    k?.name === 'scrypt' &&
    // Bounds keep a tampered file from making scrypt hang or trivial.
    isPow2(k.N) && k.N >= 2 ** 14 && k.N <= 2 ** 20 &&
    Number.isInteger(k.r) && k.r >= 1 && k.r <= 16 &&
    Number.isInteger(k.p) && k.p >= 1 && k.p <= 4 &&
    k.keyLength === 32 &&
    typeof k.salt === 'string' && Buffer.from(k.salt, 'base64').length >= 16 &&
    Number.isInteger(f.wrongPins) && f.wrongPins >= 0 &&
    [f.iv, f.tag, f.data].every((v) => typeof v === 'string');
  if (!sane) throw corrupt();
  return f;
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function isValidPin(pin: string): boolean {
  return /^\d{4,64}$/.test(pin);
}

export class Vault {
  #key: Buffer;
  #kdf: KdfParams;
  #identities: Identity[];

  private constructor(
    readonly file: string,
    key: Buffer,
    kdf: KdfParams,
    identities: Identity[],
  ) {
    this.#key = key;
    this.#kdf = kdf;
    this.#identities = identities;
  }

  static async state(file: string): Promise<VaultState> {
    const text = await readIfExists(file);
    if (text === null) return 'missing';
    return parseFile(text, file).wrongPins >= MAX_WRONG_PINS ? 'locked' : 'ready';
  }

  /** A new, empty vault under `pin`; replaces whatever was at `file`. */
  static async create(file: string, pin: string): Promise<Vault> {
    if (!isValidPin(pin)) throw new AppError('softtoken.pin_invalid');
    const kdf: KdfParams = { ...DEFAULT_KDF, salt: randomBytes(16).toString('base64') };
    const vault = new Vault(file, await deriveKey(pin, kdf), kdf, []);
    await vault.save();
    return vault;
  }

  /** Opens with `pin`; a wrong PIN is counted, and the limit locks the vault for good. */
  static async open(file: string, pin: string): Promise<Vault> {
    const text = await readIfExists(file);
    if (text === null) throw new AppError('softtoken.vault_corrupt', { file });
    const f = parseFile(text, file);
    if (f.wrongPins >= MAX_WRONG_PINS) throw new AppError('softtoken.vault_locked');
    const key = await deriveKey(pin, f.kdf);
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(f.iv, 'base64'));
      decipher.setAAD(aad(f));
      decipher.setAuthTag(Buffer.from(f.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(f.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      const wrongPins = f.wrongPins + 1;
      await writeAtomically(file, JSON.stringify({ ...f, wrongPins }, null, 2));
      if (wrongPins >= MAX_WRONG_PINS) throw new AppError('softtoken.vault_locked');
      throw new AppError('softtoken.wrong_pin', { left: MAX_WRONG_PINS - wrongPins });
    }
    const vault = new Vault(file, key, f.kdf, (JSON.parse(plain) as { identities: Identity[] }).identities);
    if (f.wrongPins > 0) await vault.save();
    return vault;
  }

  /** Deletes the vault file; the next use starts a new vault with a new PIN. */
  static async wipe(file: string): Promise<void> {
    await rm(file, { force: true });
  }

  get identities(): readonly Identity[] {
    return this.#identities;
  }

  find(name: string): Identity | undefined {
    return this.#identities.find((i) => i.name === name);
  }

  get(name: string): Identity {
    const found = this.find(name);
    if (!found) throw new AppError('softtoken.not_found', { name });
    return found;
  }

  assertNameFree(name: string): void {
    if (this.find(name)) throw new AppError('softtoken.name_taken');
  }

  async add(identity: Identity): Promise<void> {
    this.assertNameFree(identity.name);
    this.#identities = [...this.#identities, identity];
    await this.save();
  }

  async rename(from: string, to: string): Promise<void> {
    const found = this.get(from);
    if (from === to) return;
    this.assertNameFree(to);
    this.#identities = this.#identities.map((i) => (i === found ? { ...i, name: to } : i));
    await this.save();
  }

  async remove(name: string): Promise<void> {
    const found = this.get(name);
    this.#identities = this.#identities.filter((i) => i !== found);
    await this.save();
  }

  /** Seals the identities with a fresh IV and writes the file atomically (a fresh temp, then rename). */
  async save(): Promise<void> {
    const header = { format: 'softtoken-vault', version: 1, kdf: this.#kdf, wrongPins: 0 } as const;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(aad(header));
    const data = Buffer.concat([cipher.update(JSON.stringify({ identities: this.#identities }), 'utf8'), cipher.final()]);
    const file: VaultFile = { ...header, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    await writeAtomically(this.file, JSON.stringify(file, null, 2));
  }
}

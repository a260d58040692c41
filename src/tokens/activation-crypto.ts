// The soft token activation exchange (DESIGN.md §3): X25519 agreement, HKDF-SHA256 to the TOTP
// secret (salt: the serial number), the manual-entry proof and the registration code.
// Shared by the server and the softtoken app, so both sides compute exactly the same values.
import { createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { constantTimeEqual } from '../security/constant-time.js';
import { luhnCheckDigit } from './luhn.js';

export const SECRET_BYTES = 20;
const INFO = 'idp softtoken totp secret v1';

export interface KeyPair {
  privateKey: KeyObject;
  /** The raw 32-byte public key, base64url. */
  publicKey: string;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, publicKey: publicKey.export({ format: 'jwk' }).x! };
}

export function isPublicKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** Both sides call this with their private key and the other's public key. */
export function deriveSecret(own: KeyObject, peerPublicKey: string, serial: string): Buffer {
  const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerPublicKey }, format: 'jwk' });
  const shared = diffieHellman({ privateKey: own, publicKey: peer });
  if (shared.every((b) => b === 0)) throw new Error('degenerate public key');
  return Buffer.from(hkdfSync('sha256', shared, Buffer.from(serial), Buffer.from(INFO), SECRET_BYTES));
}

/** Manual activation: the app proves it holds the activation code without sending it. */
export function manualProof(activationCode: string, serial: string, publicKey: string): string {
  return createHmac('sha256', normalizeDigits(activationCode)).update(`activate:${serial}:${publicKey}`).digest('base64url');
}

export function checkManualProof(activationCode: string, serial: string, publicKey: string, proof: string): boolean {
  return constantTimeEqual(manualProof(activationCode, serial, publicKey), proof);
}

/** 10 digits: 9 derived from the secret, then a Luhn check digit. Proves the device holds it. */
export function registrationCode(secret: Uint8Array): string {
  const mac = createHmac('sha256', secret).update('registration code').digest();
  const nine = String(mac.readBigUInt64BE(0) % 1_000_000_000n).padStart(9, '0');
  return nine + luhnCheckDigit(nine);
}

export function normalizeDigits(code: string): string {
  return code.replace(/[\s-]/g, '');
}

export function groupDigits(code: string, size = 4): string {
  return code.match(new RegExp(`.{1,${size}}`, 'g'))!.join('-');
}

/** What the QR code of a QR + password activation holds. */
export function qrPayload(address: string, ticket: string): string {
  return `idp-softtoken://activate?${new URLSearchParams({ address, ticket }).toString()}`;
}

export function parseQrPayload(payload: string): { address: string; ticket: string } | null {
  try {
    const url = new URL(payload.trim());
    const address = url.searchParams.get('address');
    const ticket = url.searchParams.get('ticket');
    if (url.protocol !== 'idp-softtoken:' || !address || !ticket) return null;
    return { address, ticket };
  } catch {
    return null;
  }
}

/** The activation request and answer, as JSON on the wire. */
export interface ActivationRequest {
  publicKey: string;
  ticket?: string;
  password?: string;
  serial?: string;
  proof?: string;
}

export interface ActivationResponse {
  serial: string;
  serverPublicKey: string;
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: 6 | 8;
  period: number;
  issuer: string;
  account: string;
  registrationRequired: boolean;
}

export const ACTIVATION_ERRORS = ['invalid_request', 'invalid_ticket', 'activation_expired', 'invalid_password', 'invalid_activation_code', 'already_used', 'too_many_attempts'] as const;
export type ActivationErrorCode = (typeof ACTIVATION_ERRORS)[number];

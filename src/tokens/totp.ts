// RFC 6238 TOTP through otplib: code generation and windowed verification with replay protection.
// Shared by the server and the softtoken app.
import { generateSync, verifySync } from 'otplib';
import { ScureBase32Plugin } from '@otplib/plugin-base32-scure';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpParams {
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  period: number;
}

const base32 = new ScureBase32Plugin();
const lower = (a: TotpAlgorithm) => a.toLowerCase() as 'sha1' | 'sha256' | 'sha512';

export function totpCode(secret: Uint8Array, params: TotpParams, atMs: number): string {
  return generateSync({ secret, algorithm: lower(params.algorithm), digits: params.digits, period: params.period, epoch: Math.floor(atMs / 1000) });
}

export function timeStep(params: Pick<TotpParams, 'period'>, atMs: number): number {
  return Math.floor(atMs / 1000 / params.period);
}

/**
 * Checks `code` against the steps within `window` of now. Returns the matched step and its
 * distance from now, or null. Steps at or before `afterStep` never match (no replay).
 */
export function verifyTotp(
  secret: Uint8Array,
  code: string,
  params: TotpParams,
  atMs: number,
  window: number,
  afterStep?: number | null,
): { step: number; drift: number } | null {
  if (!new RegExp(`^\\d{${params.digits}}$`).test(code)) return null;
  // Nothing later than the last accepted step is in reach (the clock went back or the window shrank);
  // otplib throws on such an afterTimeStep rather than answering "no match".
  if (afterStep !== null && afterStep !== undefined && afterStep >= timeStep(params, atMs) + window) return null;
  const result = verifySync({
    secret,
    token: code,
    algorithm: lower(params.algorithm),
    digits: params.digits,
    period: params.period,
    epoch: Math.floor(atMs / 1000),
    epochTolerance: window * params.period,
    ...(afterStep !== null && afterStep !== undefined ? { afterTimeStep: afterStep } : {}),
  });
  if (!result.valid) return null;
  // The functional API types TOTP and HOTP results together; a TOTP match carries its time step.
  const step = (result as { timeStep: number }).timeStep;
  return { step, drift: step - timeStep(params, atMs) };
}

export function toBase32(secret: Uint8Array): string {
  return base32.encode(secret, { padding: false });
}

export function fromBase32(text: string): Uint8Array {
  return base32.decode(text.replace(/[\s-]/g, '').toUpperCase());
}

/** The key as people type it: groups of four. */
export function groupedBase32(secret: Uint8Array): string {
  return toBase32(secret).match(/.{1,4}/g)!.join(' ');
}

/**
 * An otpauth:// URI every authenticator app understands. `issuer` is the name the app lists the
 * account under (the product name); a colon in it would end the label's issuer prefix early.
 */
export function otpauthUri(secret: Uint8Array, params: TotpParams, issuerName: string, account: string): string {
  const issuer = issuerName.replace(/:/g, '').replace(/\s+/g, ' ').trim();
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const q = new URLSearchParams({ secret: toBase32(secret), issuer, algorithm: params.algorithm, digits: String(params.digits), period: String(params.period) });
  return `otpauth://totp/${label}?${q.toString()}`;
}

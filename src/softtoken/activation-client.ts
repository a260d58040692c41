// The app's side of the activation exchange (DESIGN.md §3): a fresh X25519 key pair, one POST to
// {address}/softtoken/activate, and the TOTP secret derived from the server's public key.
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { messageFor, messages, type MessageCode } from '../errors/messages.js';
import {
  type ActivationRequest,
  type ActivationResponse,
  deriveSecret,
  generateKeyPair,
  isPublicKey,
  manualProof,
} from '../tokens/activation-crypto.js';
import { ActivationRejected } from './activation-rejected.error.js';

/** One of the three entries, without the public key (which is made here, per attempt). */
export type ActivationEntry =
  | { kind: 'ticket'; address: string; ticket: string; password?: string }
  | { kind: 'manual'; address: string; serial: string; activationCode: string };

export interface Activated {
  response: ActivationResponse;
  secret: Buffer;
}

const responseSchema = z.object({
  serial: z.string().regex(/^\d{10}$/),
  serverPublicKey: z.string().refine(isPublicKey),
  algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']),
  digits: z.union([z.literal(6), z.literal(8)]),
  period: z.number().int().min(1).max(300),
  issuer: z.string(),
  account: z.string(),
  registrationRequired: z.boolean(),
});

const errorSchema = z.object({ error: z.string().max(64), message: z.string().max(1000).optional() });

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The activation endpoint for an address; plain http only to this computer, where nobody sits between. */
export function activationEndpoint(address: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new AppError('softtoken.unreachable', { address, reason: 'not a valid address' });
  }
  const insecure = url.protocol === 'http:' && !LOOPBACK.has(url.hostname) && !url.hostname.startsWith('127.');
  if (insecure || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new AppError('softtoken.insecure_address', { address });
  return new URL(`${url.origin}${url.pathname.replace(/\/+$/, '')}/softtoken/activate`);
}

function rejection(status: number, body: unknown, address: string): Error {
  const parsed = errorSchema.safeParse(body);
  if (!parsed.success) return new AppError('softtoken.bad_response', { address, status });
  const { error, message } = parsed.data;
  // The server's own words come first; the table is the fallback for a terse server.
  const known = `activation.${error.replace(/^activation_/, '')}`;
  const fallback = known in messages ? messageFor(known as MessageCode) : `The activation failed (${error}).`;
  return new ActivationRejected(error, message?.trim() || fallback, status);
}

export async function activate(entry: ActivationEntry, fetchFn: typeof fetch = fetch, timeoutMs = 30_000): Promise<Activated> {
  const endpoint = activationEndpoint(entry.address);
  const keys = generateKeyPair();
  const body: ActivationRequest =
    entry.kind === 'ticket'
      ? { publicKey: keys.publicKey, ticket: entry.ticket, ...(entry.password !== undefined ? { password: entry.password } : {}) }
      : { publicKey: keys.publicKey, serial: entry.serial, proof: manualProof(entry.activationCode, entry.serial, keys.publicKey) };

  let res: Response;
  let text: string;
  try {
    res = await fetchFn(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new AppError('softtoken.unreachable', { address: entry.address, reason });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) throw rejection(res.status, json, entry.address);

  const parsed = responseSchema.safeParse(json);
  if (!parsed.success || (entry.kind === 'manual' && parsed.data.serial !== entry.serial)) {
    throw new AppError('softtoken.bad_response', { address: entry.address, status: res.status });
  }
  const response = parsed.data;
  return { response, secret: deriveSecret(keys.privateKey, response.serverPublicKey, response.serial) };
}

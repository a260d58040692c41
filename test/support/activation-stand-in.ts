// A stand-in for the Identity Provider's side of POST /softtoken/activate (DESIGN.md §3), built on
// the shared crypto, so the softtoken app can be tested without the real server. It keeps the secret
// it derived, to prove that both sides end up with the same one.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageFor, type MessageCode } from '../../src/errors/messages.js';
import {
  type ActivationErrorCode,
  type ActivationResponse,
  checkManualProof,
  deriveSecret,
  generateKeyPair,
  isPublicKey,
} from '../../src/tokens/activation-crypto.js';
import { newActivationCode, newSerial } from '../../src/tokens/serial.js';

export interface StandInActivation {
  serial: string;
  linkTicket: string;
  qrTicket: string;
  password: string;
  activationCode: string;
  algorithm: ActivationResponse['algorithm'];
  digits: 6 | 8;
  expired: boolean;
  used: boolean;
  tries: number;
  secret?: Buffer;
}

export interface ActivationStandIn {
  url: string;
  requests: number;
  /** When set, the next answers are this, whatever was asked. */
  forced?: { status: number; body: string };
  issue(overrides?: Partial<StandInActivation>): StandInActivation;
  close(): Promise<void>;
}

const MAX_TRIES = 5;

export function errorMessage(code: ActivationErrorCode): string {
  return messageFor(`activation.${code.replace(/^activation_/, '')}` as MessageCode);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return body && typeof body === 'object' ? body : null;
  } catch {
    return null;
  }
}

export async function startActivationStandIn(): Promise<ActivationStandIn> {
  const activations: StandInActivation[] = [];

  function answer(body: Record<string, unknown> | null): { status: number; json: object } {
    const fail = (status: number, error: ActivationErrorCode) => ({ status, json: { error, message: errorMessage(error) } });
    if (!body || !isPublicKey(body.publicKey)) return fail(400, 'invalid_request');
    const publicKey = body.publicKey;
    const byTicket = typeof body.ticket === 'string';
    const found = byTicket
      ? activations.find((a) => a.linkTicket === body.ticket || a.qrTicket === body.ticket)
      : activations.find((a) => a.serial === body.serial);
    if (!found) return fail(403, byTicket ? 'invalid_ticket' : 'invalid_activation_code');
    if (found.used) return fail(409, 'already_used');
    if (found.tries >= MAX_TRIES) return fail(403, 'too_many_attempts');
    if (found.expired) return fail(410, 'activation_expired');
    const isQr = byTicket && found.qrTicket === body.ticket;
    const ok = byTicket
      ? !isQr || body.password === found.password
      : typeof body.proof === 'string' && checkManualProof(found.activationCode, found.serial, publicKey, body.proof);
    if (!ok) {
      found.tries++;
      return fail(403, byTicket ? 'invalid_password' : 'invalid_activation_code');
    }
    found.used = true;
    const server = generateKeyPair();
    found.secret = deriveSecret(server.privateKey, publicKey, found.serial);
    const response: ActivationResponse = {
      serial: found.serial,
      serverPublicKey: server.publicKey,
      algorithm: found.algorithm,
      digits: found.digits,
      period: 30,
      issuer: 'stand-in.example',
      account: 'alice@example.com',
      registrationRequired: !byTicket,
    };
    return { status: 200, json: response };
  }

  const server: Server = createServer(async (req, res) => {
    standIn.requests++;
    const body = await readJson(req);
    if (standIn.forced) {
      res.writeHead(standIn.forced.status, { 'content-type': 'application/json' }).end(standIn.forced.body);
      return;
    }
    const { status, json } =
      req.method === 'POST' && req.url === '/softtoken/activate' ? answer(body) : { status: 404, json: { error: 'not_found' } };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const standIn: ActivationStandIn = {
    url: `http://127.0.0.1:${port}`,
    requests: 0,
    issue(overrides = {}) {
      const activation: StandInActivation = {
        serial: newSerial(),
        linkTicket: randomBytes(16).toString('base64url'),
        qrTicket: randomBytes(16).toString('base64url'),
        password: String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0'),
        activationCode: newActivationCode(),
        algorithm: 'SHA1',
        digits: 6,
        expired: false,
        used: false,
        tries: 0,
        ...overrides,
      };
      activations.push(activation);
      return activation;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standIn;
}

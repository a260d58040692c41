// Reads the browser's JSON answer to a ceremony from a form field, keeping only the expected shape.
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../errors/app-error.js';
import type { MessageCode } from '../errors/messages.js';

const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_LENGTH = 32_000;
const TRANSPORTS = new Set<string>(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

function parse(field: string | undefined, invalid: MessageCode, fields: string[], optional: string[] = []): Record<string, unknown> {
  // No answer at all: the user cancelled, or the page ran without its script.
  if (!field) throw new AppError('passkey.cancelled');
  let json: unknown;
  try {
    json = field.length <= MAX_LENGTH ? JSON.parse(field) : null;
  } catch {
    json = null;
  }
  const value = json as { id?: unknown; rawId?: unknown; type?: unknown; response?: Record<string, unknown> } | null;
  const response = value && typeof value.response === 'object' ? value.response : null;
  const ok =
    !!response &&
    typeof value!.id === 'string' &&
    B64URL.test(value!.id) &&
    value!.rawId === value!.id &&
    value!.type === 'public-key' &&
    fields.every((k) => typeof response[k] === 'string') &&
    optional.every((k) => response[k] === undefined || response[k] === null || typeof response[k] === 'string');
  if (!ok) throw new AppError(invalid);
  return value as Record<string, unknown>;
}

export function parseAuthenticationResponse(field: string | undefined): AuthenticationResponseJSON {
  const json = parse(field, 'passkey.invalid', ['clientDataJSON', 'authenticatorData', 'signature'], ['userHandle']);
  const response = json.response as AuthenticationResponseJSON['response'];
  return {
    id: json.id as string,
    rawId: json.id as string,
    type: 'public-key',
    response: { clientDataJSON: response.clientDataJSON, authenticatorData: response.authenticatorData, signature: response.signature, userHandle: response.userHandle ?? undefined },
    clientExtensionResults: {},
  };
}

export function parseRegistrationResponse(field: string | undefined): RegistrationResponseJSON {
  const json = parse(field, 'passkey.registration_invalid', ['clientDataJSON', 'attestationObject']);
  const response = json.response as Record<string, unknown>;
  const transports = (Array.isArray(response.transports) ? response.transports : []).filter((t): t is string => typeof t === 'string' && TRANSPORTS.has(t));
  return {
    id: json.id as string,
    rawId: json.id as string,
    type: 'public-key',
    response: { clientDataJSON: response.clientDataJSON as string, attestationObject: response.attestationObject as string, transports },
    clientExtensionResults: {},
  };
}

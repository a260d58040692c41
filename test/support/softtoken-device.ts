// The device side of activation in tests, built only from the shared protocol code.
import { deriveSecret, generateKeyPair, manualProof, type ActivationRequest, type ActivationResponse } from '../../src/tokens/activation-crypto.js';

export interface ActivationResult {
  status: number;
  body: ActivationResponse & { error?: string; message?: string };
  secret?: Buffer;
}

export async function activate(address: string, credential: Omit<ActivationRequest, 'publicKey' | 'proof'> & { activationCode?: string }): Promise<ActivationResult> {
  const keys = generateKeyPair();
  const { activationCode, ...rest } = credential;
  const body: ActivationRequest = { publicKey: keys.publicKey, ...rest };
  if (activationCode && rest.serial) body.proof = manualProof(activationCode, rest.serial, keys.publicKey);
  const res = await fetch(`${address}/softtoken/activate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as ActivationResult['body'];
  return { status: res.status, body: json, secret: res.ok ? deriveSecret(keys.privateKey, json.serverPublicKey, json.serial) : undefined };
}

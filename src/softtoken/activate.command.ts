// `softtoken activate`: turns a link, a QR code (+ password) or the manual details into an identity
// in the vault, checking the name before anything goes over the network.
import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../errors/app-error.js';
import { groupDigits, normalizeDigits, parseQrPayload, registrationCode } from '../tokens/activation-crypto.js';
import { isLuhnValid } from '../tokens/luhn.js';
import { activate, type ActivationEntry } from './activation-client.js';
import { decodeQrPng } from './qr-image.js';
import type { CommandContext } from './softtoken-io.js';
import { unlockVault } from './unlock-vault.js';

export interface ActivateOptions {
  name: string;
  link?: string;
  qr?: string;
  password?: string;
  address?: string;
  serial?: string;
  activationCode?: string;
}

const ACTIVATE_PATH = /\/softtoken\/activate\/?$/;

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 64 && name.trim() === name && !/\p{Cc}/u.test(name);
}

function fromLink(link: string): ActivationEntry {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    throw new AppError('softtoken.invalid_link');
  }
  const ticket = url.searchParams.get('ticket');
  if (!ticket || !ACTIVATE_PATH.test(url.pathname)) throw new AppError('softtoken.invalid_link');
  // The address may carry a path prefix (an issuer below the site root); keep it.
  return { kind: 'ticket', address: `${url.origin}${url.pathname.replace(ACTIVATE_PATH, '')}`, ticket };
}

async function qrText(argument: string): Promise<string> {
  const isFile = await stat(argument).then((s) => s.isFile(), () => false);
  if (!isFile) return argument;
  const text = decodeQrPng(await readFile(argument));
  if (text === null) throw new AppError('softtoken.qr_unreadable', { file: argument });
  return text;
}

async function fromQr(argument: string, password: string): Promise<ActivationEntry> {
  const payload = parseQrPayload(await qrText(argument));
  if (!payload) throw new AppError('softtoken.invalid_qr');
  return { kind: 'ticket', address: payload.address.replace(/\/+$/, ''), ticket: payload.ticket, password: normalizeDigits(password) };
}

function fromManual(address: string, serial: string, activationCode: string): ActivationEntry {
  const s = normalizeDigits(serial);
  const code = normalizeDigits(activationCode);
  if (!/^\d{10}$/.test(s)) throw new AppError('softtoken.invalid_serial');
  // The last digit is a Luhn check, so a typing mistake is caught here rather than costing a try.
  if (!/^\d{16}$/.test(code) || !isLuhnValid(code)) throw new AppError('softtoken.invalid_activation_code');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(address.trim()) ? address.trim() : `https://${address.trim()}`;
  return { kind: 'manual', address: withScheme.replace(/\/+$/, ''), serial: s, activationCode: code };
}

async function entryFor(o: ActivateOptions): Promise<ActivationEntry> {
  if (o.link !== undefined) return fromLink(o.link);
  if (o.qr !== undefined) return fromQr(o.qr, o.password ?? '');
  return fromManual(o.address ?? '', o.serial ?? '', o.activationCode ?? '');
}

export async function activateCommand(options: ActivateOptions, ctx: CommandContext): Promise<number> {
  if (!isValidName(options.name)) throw new AppError('softtoken.invalid_name');
  const entry = await entryFor(options);
  const vault = await unlockVault(ctx);
  vault.assertNameFree(options.name);

  const { response, secret } = await activate(entry, ctx.io.fetch);
  await vault.add({
    name: options.name,
    serial: response.serial,
    address: entry.address,
    secret: secret.toString('base64'),
    algorithm: response.algorithm,
    digits: response.digits,
    period: response.period,
    createdAt: new Date(ctx.now()).toISOString(),
  });

  const registration = response.registrationRequired ? groupDigits(registrationCode(secret)) : undefined;
  if (ctx.json) {
    const { serverPublicKey: _, ...details } = response;
    ctx.io.out(JSON.stringify({ name: options.name, address: entry.address, ...details, ...(registration ? { registrationCode: registration } : {}) }));
    return 0;
  }
  ctx.io.out(`Activated "${options.name}": serial ${response.serial}, ${response.account} at ${response.issuer}.`);
  if (registration) {
    ctx.io.out(`Registration code: ${registration}`);
    ctx.io.out("Enter this registration code in your Identity Provider's page to complete the activation.");
  }
  return 0;
}

// Gets the PIN (SOFTTOKEN_PIN, the terminal, or the first line of piped stdin) and opens the vault,
// creating it on first use; a new PIN typed at a terminal is asked twice.
import { AppError } from '../errors/app-error.js';
import type { CommandContext } from './softtoken-io.js';
import { isValidPin, Vault } from './vault.js';

async function askPin(ctx: CommandContext, prompt: string): Promise<string> {
  const fromEnv = ctx.env.SOFTTOKEN_PIN;
  const pin = (fromEnv ? fromEnv : await ctx.io.readLine(prompt, { hidden: true }))?.trim();
  if (!pin) throw new AppError('softtoken.pin_missing');
  return pin;
}

export async function unlockVault(ctx: CommandContext): Promise<Vault> {
  const state = await Vault.state(ctx.vaultFile);
  // Checked before a PIN is asked for, so a locked vault takes no more guesses.
  if (state === 'locked') throw new AppError('softtoken.vault_locked');
  if (state === 'ready') return Vault.open(ctx.vaultFile, await askPin(ctx, 'PIN: '));

  const typed = ctx.io.interactive && !ctx.env.SOFTTOKEN_PIN;
  if (typed) ctx.io.err(`Creating a new vault at ${ctx.vaultFile}.`);
  const pin = await askPin(ctx, 'Choose a PIN (4 or more digits): ');
  if (!isValidPin(pin)) throw new AppError('softtoken.pin_invalid');
  if (typed && (await ctx.io.readLine('Type the PIN again: ', { hidden: true }))?.trim() !== pin) {
    throw new AppError('softtoken.pin_mismatch');
  }
  return Vault.create(ctx.vaultFile, pin);
}

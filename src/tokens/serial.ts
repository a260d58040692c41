// Random digit strings for serial numbers (10 digits, no leading zero) and activation codes.
import { randomInt } from 'node:crypto';
import { randomDigits } from '../security/random.js';
import { luhnCheckDigit } from './luhn.js';

export function newSerial(): string {
  return String(randomInt(1, 10)) + randomDigits(9);
}

/** 16 digits, the last a Luhn check digit. */
export function newActivationCode(): string {
  const body = randomDigits(15);
  return body + luhnCheckDigit(body);
}

// Luhn (mod 10) check digits, so a mistyped activation or registration code is caught at once.
export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isLuhnValid(code: string): boolean {
  return /^\d{2,}$/.test(code) && luhnCheckDigit(code.slice(0, -1)) === code.slice(-1);
}

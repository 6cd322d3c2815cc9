/**
 * Verification codes: 8 characters from a CSPRNG, shown as `XXXX-XXXX`, from
 * an alphabet without look-alikes (no 0/O, no 1/I). 32 symbols divide 256
 * evenly, so a byte modulo 32 is unbiased; 8 symbols give 40 bits, so a
 * phishing window cannot guess the code the user sees in their MCP client.
 */
import { randomBytes } from 'node:crypto';

export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function newVerificationCode(): string {
  const bytes = randomBytes(8);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

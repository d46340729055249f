// Presale codes: generated, hashed and recognised. A code is 14 symbols of a 25-symbol alphabet
// without look-alikes (none of 0 O, 1 I L, 2 Z, 5 S, 8 B), drawn from the operating system's CSPRNG
// with rejection sampling (no modulo bias): 25^14 is about 2^65, so guessing one of even a million
// live codes takes ~2^45 tries, far beyond what the rate limits let through. Codes are
// stored as their SHA-256 (migrations/0351_presales.sql): a plain hash is enough for random secrets.
import { createHash, randomBytes } from "node:crypto";
import { presaleCodeLength, presaleCodeLengthMax } from "./limits.ts";

/** Upper-case letters and digits a person reads and types back without doubt (no 0 O 1 I L 5 S 2 Z 8 B). */
export const presaleCodeAlphabet = "34679ACDEFGHJKMNPQRTUVWXY";

export function generatePresaleCode(random: (bytes: number) => Buffer = randomBytes): string {
  const size = presaleCodeAlphabet.length;
  const limit = 256 - (256 % size); // bytes at or above it are dropped: every symbol equally likely
  let code = "";
  while (code.length < presaleCodeLength) {
    for (const byte of random(presaleCodeLength * 2)) {
      if (byte >= limit) continue;
      code += presaleCodeAlphabet[byte % size];
      if (code.length === presaleCodeLength) break;
    }
  }
  return code;
}

/**
 * The code a client sent, as it is stored: spaces and dashes dropped, upper case (people copy codes
 * with both). null when it cannot be one of ours (too long, or symbols outside the alphabet).
 */
export function normalizePresaleCode(value: string): string | null {
  if (value.length > presaleCodeLengthMax) return null;
  const code = value.replace(/[\s-]/g, "").toUpperCase();
  if (code.length !== presaleCodeLength) return null;
  for (const symbol of code) if (!presaleCodeAlphabet.includes(symbol)) return null;
  return code;
}

export const hashPresaleCode = (code: string): string => createHash("sha256").update(code).digest("hex");

/** What an organiser sees of a code after its creation: its first four symbols. */
export const presaleCodeHint = (code: string): string => `${code.slice(0, 4)}…`;

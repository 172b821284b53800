import { isIsoDate } from '../../../shared/src/scalars';

/**
 * GB 11643-1999 citizen identification number: 6-digit address code, 8-digit birth date,
 * 3-digit sequence (odd for men, even for women), and an ISO 7064 MOD 11-2 check character.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * (WEIGHTS[i] as number);
  return CHECK_CHARACTERS[sum % 11] as string;
}

export type ResidentIdProblem = 'FORMAT' | 'BIRTH_DATE' | 'CHECK_DIGIT';

export interface ResidentIdFacts {
  /** Normalised: upper-case X. */
  number: string;
  divisionCode: string;
  birthDate: string;
  /** GB/T 2261.1: 1 male, 2 female. */
  gender: 1 | 2;
}

export type ResidentIdResult = { ok: true; facts: ResidentIdFacts } | { ok: false; problem: ResidentIdProblem; message: string };

export function parseResidentId(raw: string, today = new Date()): ResidentIdResult {
  const number = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(number)) {
    return { ok: false, problem: 'FORMAT', message: 'must be 18 characters: 17 digits and a check digit (0-9 or X)' };
  }
  const birthDate = `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}`;
  if (!isIsoDate(birthDate) || birthDate < '1900-01-01' || birthDate > today.toISOString().slice(0, 10)) {
    return { ok: false, problem: 'BIRTH_DATE', message: `contains an impossible birth date ${birthDate}` };
  }
  const expected = residentIdCheckCharacter(number.slice(0, 17));
  if (number[17] !== expected) {
    return { ok: false, problem: 'CHECK_DIGIT', message: `fails the GB 11643 check digit (expected ${expected}, got ${number[17]})` };
  }
  const gender = Number(number[16]) % 2 === 1 ? 1 : 2;
  return { ok: true, facts: { number, divisionCode: number.slice(0, 6), birthDate, gender } };
}

/** Builds a valid number (used by the demo seed and tests): the check digit is computed, never guessed. */
export function buildResidentId(divisionCode: string, birthDate: string, sequence: number, gender: 1 | 2): string {
  // The sequence's last digit carries the gender: odd for men, even for women.
  let seq = sequence % 1000;
  if ((seq % 2 === 1) !== (gender === 1)) seq = (seq + 1) % 1000;
  const first17 = `${divisionCode}${birthDate.replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

/**
 * Personal data is shown masked by default (personal-information protection law, classified
 * protection level 3): enough to recognise a record, not enough to misuse it. Seeing a value in
 * full is a separate, scoped and audited request.
 */

/**
 * `110105199001011234` → `110105********1234`: division and last four stay. Shorter numbers
 * (passports, other documents) keep only their last four: `E12345678` → `*****5678`.
 */
export function maskIdNumber(value: string): string {
  if (value.length >= 14) return `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}`;
  if (value.length > 6) return `${'*'.repeat(value.length - 4)}${value.slice(-4)}`;
  return '*'.repeat(value.length);
}

/** `13812345678` → `138****5678`. */
export function maskPhone(value: string): string {
  if (value.length <= 7) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
}

/** `zhang.wei@example.cn` → `z***@example.cn`. */
export function maskEmail(value: string): string {
  const at = value.indexOf('@');
  if (at <= 0) return '***';
  return `${value[0]}***${value.slice(at)}`;
}

/** Keeps the first six characters (province and city), hides the rest. */
export function maskAddress(value: string): string {
  return value.length <= 6 ? '***' : `${value.slice(0, 6)}***`;
}

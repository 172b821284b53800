import { createHash } from 'node:crypto';

/**
 * Deterministic ids for the generator (its randomness is the demo data's `seededRandom`, seeded from
 * the --seed option): UUIDs built from a per-table counter so that
 * ids are unique without a lookup, stable across runs, and ascending within a table (a B-tree
 * takes ascending keys far faster than random ones during a load).
 */

/** Eight hex digits identifying the seed, so two data sets of different seeds share no id. */
export function seedPrefix(seed: number): string {
  return createHash('sha256').update(`teacher-platform-generator:${seed}`).digest('hex').slice(0, 8);
}

/**
 * A version-4-shaped UUID: seed prefix, a four-hex table tag, then the counter. Valid for
 * PostgreSQL's uuid type and for the platform's normaliseUuid (version nibble 4, variant 8).
 */
export class UuidSequence {
  private n = 0;
  constructor(
    private readonly prefix: string,
    private readonly tag: string,
  ) {}

  next(): string {
    this.n += 1;
    const h = this.n.toString(16).padStart(18, '0');
    return `${this.prefix}-${this.tag}-4${h.slice(0, 3)}-8${h.slice(3, 6)}-${h.slice(6)}`;
  }
}

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** Picks from weighted options: [[value, weight], …] (weights need not sum to 1). */
export function weighted<T>(options: readonly (readonly [T, number])[]): (random: () => number) => T {
  const total = options.reduce((s, [, w]) => s + w, 0);
  const cumulative: [T, number][] = [];
  let acc = 0;
  for (const [value, w] of options) {
    acc += w / total;
    cumulative.push([value, acc]);
  }
  return (random) => {
    const r = random();
    for (const [value, c] of cumulative) if (r < c) return value;
    return cumulative[cumulative.length - 1]![0];
  };
}

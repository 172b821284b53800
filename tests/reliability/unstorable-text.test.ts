import fc from 'fast-check';
import { unstorableText } from '../../subgraphs/shared/src/http-server';

/** Strings PostgreSQL cannot hold are found wherever they sit in the variables, and nothing else is. */
describe('unstorableText', () => {
  it('names the path of a NUL or an unpaired surrogate, in values and keys, at any depth', () => {
    expect(unstorableText({ input: { reason: 'ok\u0000' } })).toBe('input.reason');
    expect(unstorableText({ input: { items: ['fine', 'x\ud800y'] } })).toBe('input.items[1]');
    expect(unstorableText({ input: { ['k\udc00']: 1 } })).toBe('input.k\udc00');
    let deep: unknown = '\u0000';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(unstorableText({ deep })).toMatch(/^deep(\[0\])+$/);
  });

  it('accepts every well-formed string, including characters outside the basic plane', () => {
    expect(unstorableText({ name: '𠀀𪚥🧑‍🏫', note: '', n: 3, list: [null, true] })).toBeNull();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => unstorableText({ text: text.replace(/\u0000/g, '') }) === null),
      { numRuns: 500 },
    );
  });
});

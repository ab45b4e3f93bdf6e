import { shortenSlackText } from './slack-text';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('shortenSlackText', () => {
  it('never leaves half a surrogate pair or half a grapheme, on either parity of the cut', () => {
    for (const pad of ['', 'a']) {
      for (const emoji of ['😀', '🇩🇪', '👩‍👩‍👧', 'é']) {
        const text = `${pad}${emoji.repeat(100)}`;
        const cut = shortenSlackText(text, 75);
        expect(cut.length).toBeLessThanOrEqual(75);
        expect(LONE_SURROGATE.test(cut)).toBe(false);
        expect(cut.endsWith('…')).toBe(true);
        // What is kept is whole graphemes of the original.
        expect(text.startsWith(cut.slice(0, -1))).toBe(true);
        expect((cut.slice(pad.length, -1).length / emoji.length) % 1).toBe(0);
      }
    }
  });

  it('drops an entity, a link or a bare URL whole rather than cutting into it', () => {
    expect(shortenSlackText(`${'a'.repeat(8)}&amp;bcdef`, 11)).toBe(`${'a'.repeat(8)}…`);
    expect(shortenSlackText(`see <https://x.example/a|the guide> now`, 20)).toBe('see…');
    expect(shortenSlackText(`see https://x.example/a?b=1&amp;c=2 now`, 30)).toBe('see…');
    expect(shortenSlackText('short', 5)).toBe('short');
  });
});

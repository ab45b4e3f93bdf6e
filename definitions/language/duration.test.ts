import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['14d', 14 * 86_400],
    ['72h', 72 * 3_600],
    ['30m', 1_800],
    ['45s', 45],
    ['2w', 14 * 86_400],
    ['1d12h', 36 * 3_600],
    ['1d 12h', 36 * 3_600],
    ['1h30m15s', 5_415],
    ['P14D', 14 * 86_400],
    ['PT72H', 72 * 3_600],
    ['P1DT12H', 36 * 3_600],
    ['PT30M', 1_800],
    ['P2W', 14 * 86_400],
    [' 14D ', 14 * 86_400],
  ])('%j is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toEqual({ seconds });
  });

  it.each([
    ['-1d', /negative/],
    ['0d', /zero/],
    ['PT0S', /zero/],
    ['14', /cannot read/],
    ['fortnight', /cannot read/],
    ['12h1d', /cannot read/],
    ['1.5d', /cannot read/],
    ['', /cannot read/],
    ['P', /cannot read/],
    ['PT', /cannot read/],
    ['P1M', /years or months/],
    ['P1Y', /years or months/],
  ])('%j is refused (%s)', (text, reason) => {
    const result = parseDuration(text);
    expect('error' in result && result.error).toMatch(reason);
  });

  it('refuses a bare number as ambiguous, naming the units', () => {
    const result = parseDuration(14);
    expect('error' in result && result.error).toMatch(/ambiguous.*"14d"/);
  });
});

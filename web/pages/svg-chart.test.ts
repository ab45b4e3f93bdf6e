import { barChart, intervalChart, labelLines, targetChart } from './svg-chart';

describe('svg charts', () => {
  it('draws bars proportional to the values, escapes labels, and says "no data" for a missing value', () => {
    const svg = barChart(
      [
        { label: 'A <b>', value: 10 },
        { label: 'B', value: 5 },
        { label: 'C', value: null },
      ],
      { title: 'T & U', width: 480 },
    ).value;
    const widths = [...svg.matchAll(/<rect\s+x="180"\s+y="[\d.]+"\s+width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toEqual([190, 95, 0]); // plot = 480 - 180 - 110
    expect(svg).toContain('A &lt;b&gt;');
    expect(svg).toContain('<title>T &amp; U</title>');
    expect(svg).toContain('no data');
    expect(barChart([], { title: 'empty' }).value).toContain('no data in this window');
  });

  it('marks the target and colours the bar by whether it is met; no value draws no bar', () => {
    const svg = targetChart(
      [
        { label: 'met', value: 50, target: 40, unit: '%', met: true },
        { label: 'missed', value: -10, target: -30, unit: '%', met: false },
        { label: 'none', value: null, target: 15, unit: 'points', met: null, missing: 'no data' },
      ],
      { title: 'targets' },
    ).value;
    expect((svg.match(/class="target"/g) ?? []).length).toBe(3);
    expect(svg).toContain('fill="#16a34a"');
    expect(svg).toContain('fill="#d97706"');
    expect((svg.match(/<rect/g) ?? []).length).toBe(2);
    expect(svg).toContain('no data');
  });

  it('places the estimate and its interval on a -100..+100 axis around zero', () => {
    const svg = intervalChart({ difference: 0.2, low: -0.1, high: 0.5 }, { title: 'lift', width: 460 }).value;
    // x(v) = 30 + 400 * (v + 1) / 2
    expect(svg).toContain('cx="270"');
    expect(svg).toContain('x1="210" x2="330"');
    expect(intervalChart(null, { title: 'lift' }).value).toContain('no data');
  });

  it('wraps a long bar label onto lines instead of clipping it; what cannot fit keeps its whole text in a title', () => {
    const label = 'Advanced Analytics Dashboard (mid_market)';
    const svg = barChart([{ label, value: 3 }], { title: 'wrapped' }).value;
    const shown = [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]);
    expect(shown.join(' ')).toBe(label);
    expect(shown.every((line) => [...line].length <= 26)).toBe(true);
    // Cut by code points: an emoji at the cut stays whole.
    const long = labelLines(`${'x'.repeat(10)}😀😀 ${'word '.repeat(30)}`, 11, 2);
    expect(long.clipped).toBe(true);
    expect(long.lines[0]).toBe(`${'x'.repeat(10)}😀`);
    expect(long.lines.join('')).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const clipped = barChart([{ label: 'word '.repeat(40).trim(), value: 1 }], { title: 'clipped' }).value;
    expect(clipped).toContain(`<title>${'word '.repeat(40).trim()}</title>`);
  });
});

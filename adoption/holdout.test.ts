import { differenceOfProportions, holdoutArmOf, holdoutDraw, wilsonInterval, Z_95 } from './holdout';

describe('holdout choice', () => {
  it('is a pure function of customer, feature and month, close to the configured share', () => {
    expect(holdoutDraw('c1', 'analytics', '2026-03')).toBe(holdoutDraw('c1', 'analytics', '2026-03'));
    expect(holdoutDraw('c1', 'analytics', '2026-03')).not.toBe(holdoutDraw('c1', 'analytics', '2026-04'));
    const held = Array.from({ length: 4000 }, (_, i) => holdoutArmOf(`customer-${i}`, 'analytics', '2026-03', 10)).filter((arm) => arm === 'holdout');
    expect(held.length / 4000).toBeGreaterThan(0.085);
    expect(held.length / 4000).toBeLessThan(0.115);
    expect(holdoutArmOf('c1', 'analytics', '2026-03', 0)).toBe('treated');
  });
});

describe('confidence interval of the lift', () => {
  it('uses z = 1.95996 (jstat) and reproduces Newcombe 1998, table II, example (a): 56/70 - 48/80', () => {
    expect(Z_95).toBeCloseTo(1.959964, 6);
    const wilson = wilsonInterval(56, 70);
    expect(wilson.low).toBeCloseTo(0.6918, 4);
    expect(wilson.high).toBeCloseTo(0.877, 4);
    const lift = differenceOfProportions(56, 70, 48, 80)!;
    expect(lift.difference).toBeCloseTo(0.2, 10);
    expect(lift.low).toBeCloseTo(0.0524, 4);
    expect(lift.high).toBeCloseTo(0.3339, 4);
    expect(differenceOfProportions(1, 2, 0, 0)).toBeNull();
  });
});

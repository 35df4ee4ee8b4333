/**
 * V_SET and V_RESET from I–V sweeps, against sweeps whose switching voltage is known by
 * construction: an ohmic cell that changes conductance at a chosen level.
 */
import { describe, expect, it } from 'vitest';
import { resetVoltage, setVoltage, type SweepPoint } from '../../src/shared/levels/switching';

/** 0 → peak → 0 in steps, I = G·V with G switching from `before` to `after` at `at` (|V| ≥ |at|). */
function sweep(
  peak: number,
  step: number,
  g: { before: number; after: number; at: number | null },
  compliance = Number.POSITIVE_INFINITY,
): SweepPoint[] {
  const n = Math.round(Math.abs(peak) / step);
  const levels = [
    ...Array.from({ length: n + 1 }, (_, k) => (peak * k) / n),
    ...Array.from({ length: n }, (_, k) => (peak * (n - 1 - k)) / n),
  ];
  let switched = false;
  return levels.map((v) => {
    if (g.at !== null && Math.abs(v) >= Math.abs(g.at) - 1e-12) switched = true;
    const i = (switched ? g.after : g.before) * v;
    const limited = Math.abs(i) > compliance;
    return { vSource: v, i: limited ? Math.sign(i) * compliance : i, compliance: limited };
  });
}

describe('V_SET: the first current jump or current limit on the rising branch', () => {
  it('finds the level where an HRS cell jumps to LRS (20 µS → 100 µS at 0.8 V)', () => {
    const v = setVoltage(sweep(1.5, 0.05, { before: 20e-6, after: 100e-6, at: 0.8 }));
    expect(v.value).toBeCloseTo(0.8, 12);
    expect(v.criterion).toMatch(/\|I\|\/\|V\| jumped ≥ 3×/);
  });

  it('a current limit counts first, at the level it is reached', () => {
    // LRS 1 mS from 0.6 V with a 100 µA limit: the limit is reached at 0.6 V itself (0.6 mA > 0.1 mA).
    const v = setVoltage(sweep(1, 0.05, { before: 10e-6, after: 1e-3, at: 0.6 }, 100e-6));
    expect(v.value).toBeCloseTo(0.6, 12);
    expect(v.criterion).toMatch(/current limit/);
  });

  it('an ohmic cell, or a jump smaller than the criterion, is not a SET', () => {
    expect(setVoltage(sweep(1.5, 0.05, { before: 20e-6, after: 20e-6, at: null })).value).toBeNull();
    // A 2× conductance step is below the 3× criterion; at 1.5× it is met. The ohmic rise of |I|
    // (2× from 0.05 to 0.1 V) never counts: the criterion is on |I|/|V|.
    const mild = sweep(1.5, 0.05, { before: 20e-6, after: 40e-6, at: 0.8 });
    expect(setVoltage(mild).value).toBeNull();
    expect(setVoltage(mild, { jumpFactor: 1.5, dropFraction: 0.3 }).value).toBeCloseTo(0.8, 12);
  });

  it('the falling branch never counts (a jump back on the way down is not the SET)', () => {
    const points = sweep(1, 0.1, { before: 20e-6, after: 20e-6, at: null });
    // A large current on the way down only.
    points[points.length - 3] = { ...points[points.length - 3]!, i: 1e-3 };
    expect(setVoltage(points).value).toBeNull();
  });
});

describe('V_RESET: the current peak on the rising branch of a negative sweep, then a fall', () => {
  it('an abrupt RESET at −0.6 V (100 µS → 10 µS): the peak is the last level before it', () => {
    const v = resetVoltage(sweep(-1.2, 0.05, { before: 100e-6, after: 10e-6, at: -0.6 }));
    // |I| = 100 µS × 0.55 V at −0.55 V, then 10 µS × 0.6 V: the peak is at −0.55 V.
    expect(v.value).toBeCloseTo(-0.55, 12);
    expect(v.criterion).toMatch(/largest \|I\|.*30 %/);
  });

  it('a gradual RESET (G falling with |V|): where |I| = G(V)·|V| peaks, analytically', () => {
    // G = G0 (1 − |V|/V0) gives |I| = G0 (|V| − V²/V0), largest at |V| = V0/2 = 0.5 V.
    const points: SweepPoint[] = [];
    for (let k = 0; k <= 100; k++) {
      const v = -0.01 * k;
      points.push({ vSource: v, i: 100e-6 * (1 - Math.abs(v) / 1) * v, compliance: false });
    }
    expect(resetVoltage(points).value).toBeCloseTo(-0.5, 12);
  });

  it('an ohmic LRS cell, whose current only grows with |V|, has no RESET', () => {
    expect(resetVoltage(sweep(-1, 0.05, { before: 100e-6, after: 100e-6, at: null })).value).toBeNull();
  });
});

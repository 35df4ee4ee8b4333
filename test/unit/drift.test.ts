/** Drift fits against data of known form: the law that made the data wins and gives back its parameters. */
import { describe, expect, it } from 'vitest';
import { fitDrift, leastSquares, retentionReadTimes } from '../../src/shared/levels/drift';
import { Rng } from '../../src/shared/random';

describe('drift fits', () => {
  const times = retentionReadTimes(1, 3600, 5);

  it('read times: 1 s, then 5 per decade, ending at the duration', () => {
    expect(times.slice(0, 6)).toEqual([1, 1.58489, 2.51189, 3.98107, 6.30957, 10]);
    expect(times.at(-1)).toBe(3600);
    expect(leastSquares([0, 1, 2], [1, 3, 5])).toEqual({ slope: 2, intercept: 1 });
  });

  it('a power law with 0.5 % read noise: ν and G₀ come back, and the power law is preferred', () => {
    const rng = new Rng(5);
    const g = times.map((t) => 40e-6 * t ** -0.05 * (1 + 0.005 * rng.normal()));
    const fit = fitDrift(times, g)!;
    expect(fit.powerLaw.nu).toBeCloseTo(0.05, 2);
    expect(fit.powerLaw.g0 / 40e-6).toBeCloseTo(1, 1);
    expect(fit.better).toBe('power-law');
    expect(fit.deltaAic).toBeGreaterThan(2);
  });

  it('a weak drift over a few decades: the two forms are the same line within the noise, and it says so', () => {
    const rng = new Rng(8);
    const g = retentionReadTimes(1, 100, 3).map((t) => 40e-6 * t ** -0.005 * (1 + 0.005 * rng.normal()));
    expect(fitDrift(retentionReadTimes(1, 100, 3), g)!.better).toBe('either');
  });

  it('a linear-in-log relaxation is told apart: the log-linear form wins and gives back its slope', () => {
    const rng = new Rng(6);
    // 40 µS falling 6 µS per decade: curved in log–log, straight in lin–log.
    const g = times.map((t) => (40e-6 - 6e-6 * Math.log10(t)) * (1 + 0.002 * rng.normal()));
    const fit = fitDrift(times, g)!;
    expect(fit.better).toBe('log-linear');
    expect(fit.logLinear.b / 6e-6).toBeCloseTo(1, 1);
  });

  it('too few or unusable reads give no fit', () => {
    expect(fitDrift([1, 2], [1e-5, 1e-5])).toBeNull();
    expect(fitDrift([0, 0, 0, 1], [1e-5, 1e-5, 1e-5, 1e-5])).toBeNull();
  });
});

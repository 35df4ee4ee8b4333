import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/shared/random';

describe('Rng.fillNormal', () => {
  it('gives exactly the deviates that repeated normal() calls give, whatever the spare state', () => {
    for (const [before, length] of [
      [0, 0],
      [0, 1],
      [0, 7],
      [1, 6],
      [3, 1001],
      [2, 4096],
    ] as const) {
      const one = new Rng(42);
      const other = new Rng(42);
      for (let i = 0; i < before; i++) expect(other.normal()).toBe(one.normal());
      const filled = new Float64Array(length);
      one.fillNormal(filled);
      const called = Float64Array.from({ length }, () => other.normal());
      expect(filled).toEqual(called);
      // And the streams stay in step afterwards (the spare is carried over).
      expect(one.normal()).toBe(other.normal());
      expect(one.normal()).toBe(other.normal());
    }
  });

  it('has mean 0 and variance 1 (200,000 draws, 5σ bounds)', () => {
    const z = new Float64Array(200_000);
    new Rng(7).fillNormal(z);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / (z.length - 1);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(z.length));
    // Var of the sample variance of N(0,1) is 2/(n−1).
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / (z.length - 1)));
  });
});

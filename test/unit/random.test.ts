import { describe, expect, it } from 'vitest';
import { NormalMemo, Rng } from '../../src/shared/random';

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

describe('NormalMemo', () => {
  it('gives the deviates fillNormal gives and leaves the generator where fillNormal leaves it', () => {
    const memo = new NormalMemo();
    // Twice over the same (seed, spare, length): the first fills, the second remembers.
    for (let pass = 0; pass < 2; pass++)
      for (const [seed, before, length] of [
        [1, 0, 0],
        [2, 0, 1],
        [3, 1, 6],
        [4, 3, 1001],
        [5, 0, 4096],
      ] as const) {
        const drawn = new Rng(seed);
        const remembered = new Rng(seed);
        for (let i = 0; i < before; i++) expect(remembered.normal()).toBe(drawn.normal());
        const filled = new Float64Array(length);
        drawn.fillNormal(filled);
        expect(memo.fill(remembered, length)).toEqual(filled);
        // The spare and the generator's words carry over: the streams stay in step.
        for (let i = 0; i < 3; i++) expect(remembered.normal()).toBe(drawn.normal());
        expect(remembered.nextUint32()).toBe(drawn.nextUint32());
      }
  });

  it('draws once per generator state: a second generator in that state gets the same array', () => {
    const memo = new NormalMemo();
    const first = memo.fill(new Rng(9), 500);
    expect(memo.fill(new Rng(9), 500)).toBe(first);
    // Another state or another length is drawn afresh.
    expect(memo.fill(new Rng(10), 500)).not.toBe(first);
    expect(memo.fill(new Rng(9), 501)).not.toBe(first);
  });

  it('forgets the oldest arrays beyond its bound, and never keeps one larger than it', () => {
    const memo = new NormalMemo(3 * 8 * 100);
    const kept = [1, 2, 3].map((seed) => memo.fill(new Rng(seed), 100));
    memo.fill(new Rng(4), 100);
    // Seed 1 was the oldest: drawn again, equal but not the same array; seed 3 is still kept.
    const again = memo.fill(new Rng(1), 100);
    expect(again).toEqual(kept[0]);
    expect(again).not.toBe(kept[0]);
    expect(memo.fill(new Rng(3), 100)).toBe(kept[2]);
    const large = memo.fill(new Rng(5), 1000);
    expect(memo.fill(new Rng(5), 1000)).not.toBe(large);
  });
});

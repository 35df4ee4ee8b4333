import { describe, expect, it } from 'vitest';
import { crossedCi95 } from '../../src/shared/rca/predict';
import { Rng } from '../../src/shared/random';

/**
 * The interval a prediction reports is for a mean over C chips × the same N images. Simulate that
 * design (chip effects, image effects and their interaction, all Gaussian) and check coverage.
 */
function simulate(
  rng: Rng,
  chips: number,
  images: number,
  sd: { chip: number; image: number; both: number },
) {
  const chipEffect = Array.from({ length: chips }, () => sd.chip * rng.normal());
  const imageEffect = Array.from({ length: images }, () => sd.image * rng.normal());
  const perChip = new Array<number>(chips).fill(0);
  const perImage = new Float64Array(images);
  for (let c = 0; c < chips; c++)
    for (let i = 0; i < images; i++) {
      const y = chipEffect[c]! + imageEffect[i]! + sd.both * rng.normal();
      perChip[c]! += y / images;
      perImage[i]! += y / chips;
    }
  return { perChip, perImage, mean: perChip.reduce((a, b) => a + b, 0) / chips };
}

describe('intervals over chips and test images together', () => {
  it.each([
    { chip: 1, image: 0.2, both: 0.5 },
    { chip: 0.05, image: 1, both: 0.5 },
    { chip: 0.5, image: 0.5, both: 1 },
  ])('cover the true mean (0) about 95 % of the time: σ %o', (sd) => {
    const rng = new Rng(11);
    let covered = 0;
    const trials = 600;
    for (let t = 0; t < trials; t++) {
      const { perChip, perImage, mean } = simulate(rng, 8, 200, sd);
      if (Math.abs(mean) <= crossedCi95(perChip, perImage).ci95) covered++;
    }
    console.log(`coverage ${((100 * covered) / trials).toFixed(1)} % for σ ${JSON.stringify(sd)}`);
    // Binomial standard error at 95 %: 0.9 pp over 600 trials; conservative by design.
    expect(covered / trials).toBeGreaterThan(0.925);
    expect(covered / trials).toBeLessThan(0.995);
  });

  it('is the chips-only t-interval when the images agree, and the images-only one with a single chip', () => {
    const perImage = new Float64Array(100).fill(0.3);
    const chips = [0.1, 0.2, 0.3, 0.4];
    const only = crossedCi95(chips, perImage);
    expect(only.images).toBeCloseTo(0, 12);
    // t(3) = 3.182; sd = 0.1291; /√4
    expect(only.ci95).toBeCloseTo((3.182446 * 0.1290994) / 2, 4);
    const one = crossedCi95(
      [0.5],
      Float64Array.from({ length: 400 }, (_, i) => (i % 2 ? 1 : 0)),
    );
    expect(one.chips).toBe(0);
    expect(one.ci95).toBeCloseTo((1.96 * Math.sqrt((0.25 * 400) / 399)) / 20, 6);
  });
});

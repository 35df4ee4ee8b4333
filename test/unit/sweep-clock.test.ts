import { describe, expect, it } from 'vitest';
import { SweepClock, type ClockPoint } from '../../src/main/services/sweep-clock';

const lenet = (monteCarlo: boolean): ClockPoint => ({ model: 'lenet', monteCarlo, size: 250 });
const alexnet = (monteCarlo: boolean): ClockPoint => ({ model: 'alexnet', monteCarlo, size: 2200 });

describe('time left in a sweep', () => {
  it('knows nothing before the first point, then uses the closest measured points', () => {
    const clock = new SweepClock();
    expect(clock.estimate(lenet(false))).toBeNull();
    expect(clock.remaining(lenet(false), 0.5, [lenet(true)])).toBeNull();
    clock.record(lenet(false), 6);
    clock.record(lenet(false), 8);
    // Same network and class: the mean.
    expect(clock.estimate(lenet(false))).toBe(7);
    // Nothing in the other class on any network yet: the size-scaled or overall mean.
    expect(clock.estimate(lenet(true))).toBe(7);
    expect(clock.estimate(alexnet(false))).toBeCloseTo((7 / 250) * 2200, 9);
    clock.record(lenet(true), 42);
    // The other class of a network not timed in it: scaled by the ratio seen on LeNet (6×).
    clock.record(alexnet(false), 100);
    expect(clock.estimate(alexnet(true))).toBeCloseTo(600, 9);
  });

  it('the study shape: σ > 0 points dominate, and a big network is not costed like a small one', () => {
    const clock = new SweepClock();
    clock.record(lenet(false), 5);
    clock.record(lenet(true), 45);
    const rest = [alexnet(false), alexnet(true), alexnet(true)];
    // Half of a σ > 0 LeNet point left (22.5 s), then AlexNet scaled by size (8.8×): 44 + 2 × 396.
    expect(clock.remaining(lenet(true), 0.5, rest)).toBeCloseTo(22.5 + 44 + 2 * 396, 6);
    // A mean over points would have said 25 s each.
    expect(clock.remaining(lenet(true), 0.5, rest)!).toBeGreaterThan(10 * 25 * 3);
  });

  it('ignores times that are not times', () => {
    const clock = new SweepClock();
    clock.record(lenet(false), Number.NaN);
    clock.record(lenet(false), -1);
    expect(clock.estimate(lenet(false))).toBeNull();
  });
});

/**
 * Time left in a sweep. Grid points differ by orders of magnitude: a σ = 0 point is one chip, a
 * σ > 0 point up to the chip budget, and a VGG-style network costs many LeNets. A mean time per
 * point is then wrong for hours, so each point is estimated from the points measured so far that
 * resemble it most:
 *
 * 1. the same network and chip class (one chip, or Monte Carlo): their mean time;
 * 2. the same network in the other class: scaled by the class ratio seen on other networks;
 * 3. another network in the same class: scaled by the networks' relative size (their weights);
 * 4. otherwise the mean of everything measured.
 */
export interface ClockPoint {
  model: string;
  /** Several chips are drawn (σ or read noise) rather than the one deterministic chip. */
  monteCarlo: boolean;
  /** A relative size of the network (its parameter bytes), for networks not yet timed. */
  size: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export class SweepClock {
  private readonly times = new Map<string, { point: ClockPoint; seconds: number[] }>();

  private static key(point: ClockPoint): string {
    return `${point.model}\u0000${point.monteCarlo ? 'mc' : 'one'}`;
  }

  record(point: ClockPoint, seconds: number): void {
    if (!(seconds >= 0) || !Number.isFinite(seconds)) return;
    const key = SweepClock.key(point);
    const entry = this.times.get(key) ?? { point, seconds: [] };
    entry.seconds.push(seconds);
    this.times.set(key, entry);
  }

  /** Seconds this point is expected to take, or null before anything was measured. */
  estimate(point: ClockPoint): number | null {
    const same = this.times.get(SweepClock.key(point));
    if (same) return mean(same.seconds);
    const entries = [...this.times.values()];
    if (!entries.length) return null;
    const other = this.times.get(SweepClock.key({ ...point, monteCarlo: !point.monteCarlo }));
    if (other) {
      const ratios = entries
        .filter((e) => e.point.monteCarlo === point.monteCarlo && e.point.model !== point.model)
        .flatMap((e) => {
          const partner = this.times.get(SweepClock.key({ ...e.point, monteCarlo: !point.monteCarlo }));
          return partner ? [mean(e.seconds) / mean(partner.seconds)] : [];
        });
      if (ratios.length) return mean(other.seconds) * mean(ratios);
    }
    const sameClass = entries.filter((e) => e.point.monteCarlo === point.monteCarlo && e.point.size > 0);
    if (sameClass.length && point.size > 0)
      return mean(sameClass.map((e) => (mean(e.seconds) / e.point.size) * point.size));
    return mean(entries.flatMap((e) => e.seconds));
  }

  /** Seconds left: the rest of the current point plus every point still to do. */
  remaining(current: ClockPoint, fractionDone: number, rest: readonly ClockPoint[]): number | null {
    const now = this.estimate(current);
    if (now === null) return null;
    let total = now * Math.max(0, 1 - fractionDone);
    for (const point of rest) total += this.estimate(point) ?? now;
    return total;
  }
}

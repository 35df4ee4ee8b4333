/**
 * Switching voltages from I–V sweeps (0 → peak → 0), with the criterion stated beside each value.
 *
 * V_SET: the first level of the rising branch at which the current limit is hit, or the chord
 * conductance |I|/|V| jumps by at least `jumpFactor` over the previous level's (the filament
 * reconnects: HRS → LRS). Conductance, not current: an ohmic cell's current doubles from one
 * small step to the next without switching.
 *
 * V_RESET: the level of the largest |I| on the rising branch of a negative sweep, when |I| then
 * falls by at least `dropFraction` of that peak before the branch ends (the filament ruptures:
 * LRS → HRS; a gradual RESET has no jump, and its current peak is where it begins).
 *
 * Either is null when the sweep shows no such event; an ohmic sweep is not a switch.
 */

export interface SweepPoint {
  /** The programmed level (V). */
  vSource: number;
  /** Measured current (A); null when it was not a reading (overflow, no data). */
  i: number | null;
  compliance: boolean;
}

export interface SwitchingCriteria {
  /** SET: the conductance jump that counts as switching (× the previous level's |I|/|V|). */
  jumpFactor: number;
  /** RESET: how far |I| must fall from its peak (fraction of the peak). */
  dropFraction: number;
}

export const DEFAULT_SWITCHING_CRITERIA: SwitchingCriteria = { jumpFactor: 3, dropFraction: 0.3 };

export interface SwitchingVoltage {
  /** V_SET or V_RESET (V), or null when the sweep shows no switch. */
  value: number | null;
  /** Which rule found it, in words: what a reader needs to compare it with another lab's. */
  criterion: string;
}

/** The rising branch: from the first point up to the one of largest |V| (the peak). */
function risingBranch(points: readonly SweepPoint[]): SweepPoint[] {
  let peak = 0;
  points.forEach((p, k) => {
    if (Math.abs(p.vSource) > Math.abs(points[peak]!.vSource)) peak = k;
  });
  return points.slice(0, peak + 1);
}

export function setVoltage(
  points: readonly SweepPoint[],
  criteria: SwitchingCriteria = DEFAULT_SWITCHING_CRITERIA,
): SwitchingVoltage {
  let previous: number | undefined;
  for (const p of risingBranch(points)) {
    if (p.compliance) return { value: p.vSource, criterion: 'current limit reached on the rising branch' };
    const g = p.i === null || p.vSource === 0 ? undefined : Math.abs(p.i / p.vSource);
    if (g !== undefined && previous !== undefined && previous > 0 && g >= criteria.jumpFactor * previous)
      return {
        value: p.vSource,
        criterion: `|I|/|V| jumped ≥ ${criteria.jumpFactor}× over the previous level on the rising branch`,
      };
    if (g !== undefined) previous = g;
  }
  return { value: null, criterion: `no conductance jump ≥ ${criteria.jumpFactor}× and no current limit` };
}

export function resetVoltage(
  points: readonly SweepPoint[],
  criteria: SwitchingCriteria = DEFAULT_SWITCHING_CRITERIA,
): SwitchingVoltage {
  const branch = risingBranch(points).filter((p): p is SweepPoint & { i: number } => p.i !== null);
  let peak = -1;
  branch.forEach((p, k) => {
    if (peak < 0 || Math.abs(p.i) > Math.abs(branch[peak]!.i)) peak = k;
  });
  const criterion = `largest |I| on the rising branch, then a fall of ≥ ${Math.round(criteria.dropFraction * 100)} %`;
  if (peak < 0) return { value: null, criterion };
  const peakCurrent = Math.abs(branch[peak]!.i);
  const after = branch.slice(peak + 1).map((p) => Math.abs(p.i));
  const fell = after.some((i) => i <= (1 - criteria.dropFraction) * peakCurrent);
  return fell ? { value: branch[peak]!.vSource, criterion } : { value: null, criterion };
}

/** The sweep's switching voltage by its direction: SET for a positive peak, RESET for a negative one. */
export function switchingVoltage(
  procedure: 'set' | 'reset',
  points: readonly SweepPoint[],
  criteria: SwitchingCriteria = DEFAULT_SWITCHING_CRITERIA,
): SwitchingVoltage {
  return procedure === 'set' ? setVoltage(points, criteria) : resetVoltage(points, criteria);
}

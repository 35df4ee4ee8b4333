/** The last run's live view, kept outside the page so coming back shows it with what arrived meanwhile. */
import type { ApiEventPayload } from '../../../shared/api';
import type { Point } from '../../../shared/run';
import { type IvSeries } from '../../components/IvPlot';
import { phaseColor } from '../../components/Plot';
import { LiveBuffer } from '../../components/LivePlot';

/**
 * Where the I–V points go: sweep and ramp steps as one joined series per phase, in measurement
 * order; pulses as markers only (joining a ±1.5 V pulse to the next pulse draws nothing real);
 * reads not at all (they are the conductance plot's). Colours are the phase's, as on every plot.
 */
export class IvBuffer {
  series = new Map<string, { phase: string; joined: boolean; v: number[]; i: number[] }>();
  /** Pulses with a current but no measured voltage (the 2400 times a pulse and reads I only). */
  pulsesWithoutVoltage = 0;
  push(phase: string, kind: string, v: number, i: number): void {
    if (kind === 'read' || kind === 'final') return;
    const joined = kind !== 'pulse';
    const key = joined ? phase : `${phase} pulses`;
    const s = this.series.get(key) ?? { phase, joined, v: [], i: [] };
    s.v.push(v);
    s.i.push(i);
    this.series.set(key, s);
  }
  clear(): void {
    this.series.clear();
    this.pulsesWithoutVoltage = 0;
  }
  view(): IvSeries[] {
    return [...this.series.entries()].map(([label, s]) => ({
      label,
      color: phaseColor(s.phase),
      joined: s.joined,
      v: s.v,
      i: s.i,
    }));
  }
}

export interface RunView {
  runId: number;
  procedure: string;
  done: number;
  total: number;
  remainingS: number | null;
  message?: string | undefined;
  ended?: ApiEventPayload<'run.ended'>;
  targets?: { g: number[]; band: number[] } | undefined;
}

/** Write-verify as it runs: per target level, the repeats tried and the ones that landed in band. */
export class VerifyTally {
  tried = new Map<number, Set<number>>();
  landed = new Map<number, number[]>();
  push(p: { target: number | null; kind: string; cycle: number; g: number | null }): void {
    if (p.target === null) return;
    const cycles = this.tried.get(p.target) ?? new Set<number>();
    cycles.add(p.cycle);
    this.tried.set(p.target, cycles);
    if (p.kind === 'final' && p.g !== null)
      this.landed.set(p.target, [...(this.landed.get(p.target) ?? []), p.g]);
  }
  clear(): void {
    this.tried.clear();
    this.landed.clear();
  }
}

export const live = {
  buffer: new LiveBuffer(),
  iv: new IvBuffer(),
  tally: new VerifyTally(),
  run: undefined as RunView | undefined,
  /** The last point shown, so points that arrived while the page was away are fetched once. */
  seq: -1,
};

export function addPoints(points: readonly Point[]): void {
  for (const p of points) {
    if (p.seq <= live.seq) continue;
    live.seq = p.seq;
    if ((p.kind === 'read' || p.kind === 'final') && p.g !== null) live.buffer.push(p.g, p.phase);
    live.tally.push(p);
    // Overflow and "no data" readings are not points of the I–V curve.
    if (p.v === null || p.i === null) {
      if (p.kind === 'pulse' && p.i !== null) live.iv.pulsesWithoutVoltage++;
      continue;
    }
    live.iv.push(p.phase, p.kind, p.v, p.i);
  }
}

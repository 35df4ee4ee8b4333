/**
 * What the simulators' formats are made from: a device's potentiation and depression curves
 * (mean conductance after n identical pulses, and every measured ramp where there are some),
 * its fitted pulse models, its level table and how it was pulsed. Built from a measured
 * pulse-train run (everything measured) or from a profile (curves from its table and fits).
 */
import { curvesFromPoints, fitPulseTrain, readVoltageOf } from '../levels/extract';
import type { FittedCurve, LevelTable } from '../levels/level-table';
import { conductanceAfter } from '../levels/pulse-model';
import type { DeviceProfile } from '../profile/schema';
import type { Point } from '../run';

export interface DeviceData {
  name: string;
  materialStack: string;
  /** Mean conductance (S) after 0…P potentiation pulses, from the low state. */
  ltp: number[];
  /** Mean conductance (S) after 0…P depression pulses, from the high state. */
  ltd: number[];
  /** Every measured ramp (one per cycle), where measured; else the mean curve alone. */
  ltpRamps: number[][];
  ltdRamps: number[][];
  fits: { ltp: FittedCurve | undefined; ltd: FittedCurve | undefined };
  /** The table predictions use (levels with σ). */
  table: LevelTable;
  readVoltage: number;
  /** How it was pulsed, where known (measured runs). */
  pulses: { vLtp: number | null; vLtd: number | null; width: number | null };
  /** Where each number came from, for the exported file's header. */
  source: string;
}

/** Per pulse count: the mean over the ramps that reached it. */
function meanCurve(ramps: number[][]): number[] {
  const length = Math.max(0, ...ramps.map((r) => r.length));
  return Array.from({ length }, (_, n) => {
    const values = ramps.map((r) => r[n]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  });
}

/** From a measured pulse-train run. */
export function deviceDataFromRun(
  points: readonly Point[],
  table: LevelTable,
  meta: { name: string; materialStack?: string; params: Record<string, unknown>; runId: number },
): DeviceData {
  const curves = curvesFromPoints(points);
  const ramps = (samples: typeof curves.ltp) => {
    const byCycle = new Map<number, number[]>();
    for (const s of samples) {
      if (!Number.isFinite(s.g)) continue;
      const ramp = byCycle.get(s.cycle) ?? [];
      ramp[s.n] = s.g;
      byCycle.set(s.cycle, ramp);
    }
    return [...byCycle.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
  };
  const fit = fitPulseTrain(points);
  const ltpRamps = ramps(curves.ltp);
  const ltdRamps = ramps(curves.ltd);
  const num = (key: string) => (typeof meta.params[key] === 'number' ? (meta.params[key] as number) : null);
  return {
    name: meta.name,
    materialStack: meta.materialStack ?? '',
    ltp: meanCurve(ltpRamps),
    ltd: meanCurve(ltdRamps),
    ltpRamps,
    ltdRamps,
    fits: { ltp: fit.ltp, ltd: fit.ltd },
    table,
    readVoltage: readVoltageOf(points),
    pulses: { vLtp: num('setV'), vLtd: num('resetV'), width: num('width') },
    source: `measured pulse-train run ${meta.runId} (${ltpRamps.length} cycles)`,
  };
}

/** From a profile: its table's levels (or fit) for LTP, the LTD fit (or LTP reversed) for LTD. */
export function deviceDataFromProfile(profile: DeviceProfile, tableName?: string): DeviceData {
  const table = (tableName && profile.tables.find((t) => t.name === tableName)) || profile.tables[0]!;
  const ltpFit = table.fits.find((f) => f.direction === 'ltp');
  const ltdFit = table.fits.find((f) => f.direction === 'ltd');
  const curve = (fit: FittedCurve) =>
    Array.from({ length: Math.round(fit.pMax) + 1 }, (_, n) => conductanceAfter(fit, n, fit.direction));
  // Every-state tables are the measured LTP means; other tables are a selection, so use the fit.
  const ltp =
    table.provenance.method === 'pulse-train (all states)' || !ltpFit
      ? table.levels.map((l) => l.g)
      : curve(ltpFit);
  const ltd = ltdFit ? curve(ltdFit) : [...ltp].reverse();
  return {
    name: profile.name,
    materialStack: profile.materialStack,
    ltp,
    ltd,
    ltpRamps: [ltp],
    ltdRamps: [ltd],
    fits: { ltp: ltpFit, ltd: ltdFit },
    table,
    readVoltage: table.readVoltage,
    pulses: { vLtp: null, vLtd: null, width: null },
    source: `profile '${profile.name}', table '${table.name}' (${table.provenance.method}${ltdFit ? '' : '; LTD taken as LTP reversed'})`,
  };
}

/** The device's common window: both curves must span it (NeuroSim and aihwkit require one range). */
export function commonWindow(data: DeviceData): { gMin: number; gMax: number } {
  return {
    gMin: Math.max(Math.min(...data.ltp), Math.min(...data.ltd)),
    gMax: Math.min(Math.max(...data.ltp), Math.max(...data.ltd)),
  };
}

/** Cycle-to-cycle σ per pulse as a fraction of the window: the fits' own estimate, or the scatter. */
export function c2cFraction(data: DeviceData): number {
  const values = [data.fits.ltp?.c2cSigma, data.fits.ltd?.c2cSigma].filter(
    (v): v is number => v !== undefined && Number.isFinite(v),
  );
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/**
 * A level table from potentiation ramps (the inverse of the curve exports): the mean conductance
 * after each pulse count over the ramps, σ their spread (0 with one ramp), sorted ascending.
 */
export function levelTableFromRamps(
  ramps: readonly number[][],
  options: { name: string; readVoltage: number; method: string; createdAt: string; softwareVersion: string },
): LevelTable {
  const length = Math.max(0, ...ramps.map((r) => r.length));
  const levels = Array.from({ length }, (_, n) => {
    const values = ramps.map((r) => r[n]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const sd =
      values.length > 1
        ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1))
        : 0;
    return { g: mean, sigma: sd, n: values.length };
  })
    .filter((l) => l.n > 0)
    .sort((a, b) => a.g - b.g);
  // Equal neighbours (a plateau) cannot both be levels.
  const distinct = levels.filter((l, k) => k === 0 || l.g > levels[k - 1]!.g);
  return {
    name: options.name,
    levels: distinct,
    gMin: distinct[0]?.g ?? 0,
    gMax: distinct[distinct.length - 1]?.g ?? 0,
    readVoltage: options.readVoltage,
    programming: 'open-loop',
    fits: [],
    provenance: {
      runIds: [],
      createdAt: options.createdAt,
      softwareVersion: options.softwareVersion,
      method: options.method,
      warnings: distinct.length < levels.length ? ['Equal neighbouring states were merged.'] : [],
    },
  };
}

/**
 * Sandia CrossSim: the set/reset lookup-table CSVs of its device-data tooling (one column per
 * ramp, the read current after each identical pulse; examples/lookup_table_generation), and a
 * CrossSim 3 inference configuration fragment (params.xbar.device). Sources: docs/interop.md.
 */
import { ProfileFormatError } from '../profile/json';
import { selectLevels } from '../levels/level-table';
import { Rng } from '../random';
import { c2cFraction, commonWindow, type DeviceData } from './device-data';
import type { ExportFile } from './neurosim';

/** One column per ramp, rows are successive reads; ragged ramps leave cells empty (read as NaN). */
function rampsCsv(ramps: readonly number[][], readVoltage: number): string {
  const rows = Math.max(0, ...ramps.map((r) => r.length));
  const lines = [ramps.map((_, k) => `rmp${k + 1}`).join(',')];
  for (let n = 0; n < rows; n++)
    lines.push(
      ramps
        .map((r) => {
          const g = r[n];
          return g !== undefined && Number.isFinite(g)
            ? String(Number((g * readVoltage).toPrecision(9)))
            : '';
        })
        .join(','),
    );
  return `${lines.join('\n')}\n`;
}

export interface CrossSimDevice {
  cell_bits: number;
  Rmin: number;
  Rmax: number;
  Vread: number;
  programming_error: { enable: boolean; model: string; magnitude: number };
  read_noise: { enable: boolean; model: string; magnitude: number };
}

/**
 * The inference fragment. CrossSim's generic error models take one σ: independent of the state
 * (normalised to Gmax) or proportional to it (normalised to the target G). The one whose
 * normalised σ varies less across the measured levels is chosen.
 */
export function crossSimDevice(data: DeviceData, bits: number): { device: CrossSimDevice; notes: string[] } {
  const levels = selectLevels(
    data.table,
    Math.min(bits, Math.floor(Math.log2(data.table.levels.length))),
  ).levels;
  const gMax = levels[levels.length - 1]!.g;
  const gMin = Math.max(levels[0]!.g, 1e-30);
  const independent = levels.map((l) => l.sigma / gMax);
  const proportional = levels.map((l) => l.sigma / Math.max(l.g, 1e-30));
  const spread = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    return { m, cv: m > 0 ? sd / m : 0 };
  };
  const ind = spread(independent);
  const prop = spread(proportional);
  const useProportional = prop.cv < ind.cv;
  const chosen = useProportional ? prop : ind;
  return {
    device: {
      cell_bits: Math.log2(levels.length),
      Rmin: 1 / gMax,
      Rmax: 1 / gMin,
      Vread: data.readVoltage,
      programming_error: {
        enable: chosen.m > 0,
        model: useProportional ? 'NormalProportionalDevice' : 'NormalIndependentDevice',
        magnitude: chosen.m,
      },
      read_noise: { enable: false, model: 'IdealDevice', magnitude: 0 },
    },
    notes: [
      `For ${levels.length} levels (${Math.log2(levels.length)} bits) of table '${data.table.name}'.`,
      `programming_error: ${useProportional ? 'σ proportional to the target conductance' : 'σ independent of the state'} fits the measured levels better (spread of the normalised σ across levels: independent ${(100 * ind.cv).toFixed(0)} %, proportional ${(100 * prop.cv).toFixed(0)} %).`,
      'Dropped: CrossSim places 2^cell_bits levels evenly between Gmin and Gmax, so the measured non-linear spacing does not carry over; the per-level σ becomes one magnitude.',
      'read_noise is off: a level table holds programming spread, not read noise.',
    ],
  };
}

/** CrossSim's loader reads a table as 2-D (data.shape[1]): one ramp alone is 1-D and fails. */
export const CROSSSIM_MIN_RAMPS = 2;
/** Ramps drawn where fewer were measured: enough spread in ΔG per G bin for its distribution step. */
export const CROSSSIM_DRAWN_RAMPS = 10;
/** Floor on the drawn per-pulse σ: a noise-free curve gives Qhull a flat simplex ("initial simplex is flat"). */
export const CROSSSIM_MIN_SIGMA_FRACTION = 0.005;
const CROSSSIM_SEED = 1;

/**
 * Ramps along the mean curve with cycle-to-cycle noise on every pulse (NeuroSim's σ·√ΔP, the
 * virtual SMU's model): each step adds the mean curve's step plus N(0, σ), held in the window.
 */
function drawnRamps(
  mean: readonly number[],
  sigma: number,
  window: { gMin: number; gMax: number },
  rng: Rng,
) {
  return Array.from({ length: CROSSSIM_DRAWN_RAMPS }, () => {
    const ramp = [mean[0]!];
    for (let n = 1; n < mean.length; n++) {
      const g = ramp[n - 1]! + (mean[n]! - mean[n - 1]!) + sigma * rng.normal();
      ramp.push(Math.min(window.gMax, Math.max(window.gMin, g)));
    }
    return ramp;
  });
}

export function crossSimFiles(data: DeviceData, bits: number): ExportFile[] {
  const { device, notes } = crossSimDevice(data, bits);
  const window = commonWindow(data);
  const lo = Math.min(...data.ltp, ...data.ltd);
  const hi = Math.max(...data.ltp, ...data.ltd);
  const measured = Math.min(data.ltpRamps.length, data.ltdRamps.length);
  const fraction = Math.max(c2cFraction(data), CROSSSIM_MIN_SIGMA_FRACTION);
  const sigma = fraction * (window.gMax - window.gMin);
  const draw = measured < CROSSSIM_MIN_RAMPS;
  const rng = new Rng(CROSSSIM_SEED);
  const range = { gMin: lo, gMax: hi };
  const setRamps = draw ? drawnRamps(data.ltp, sigma, range, rng) : data.ltpRamps;
  const resetRamps = draw ? drawnRamps(data.ltd, sigma, range, rng) : data.ltdRamps;
  const lookup = draw
    ? {
        ramps: 'drawn',
        drawn: {
          count: CROSSSIM_DRAWN_RAMPS,
          sigma_per_pulse_S: sigma,
          sigma_fraction_of_window: fraction,
          seed: CROSSSIM_SEED,
          why: `${measured} measured ramp(s): CrossSim's loader needs at least ${CROSSSIM_MIN_RAMPS} columns, and its ΔG distribution needs spread. Each ramp follows the mean curve's step per pulse plus N(0, σ) (cycle-to-cycle noise per pulse, the fitted fraction of the window, at least ${100 * CROSSSIM_MIN_SIGMA_FRACTION} %).`,
        },
      }
    : { ramps: 'measured', count: measured };
  const readNote =
    Math.abs(data.readVoltage - 0.1) < 1e-12
      ? 'create_lookup_table.py sets read_voltage = 0.1 (line 31): it matches.'
      : `create_lookup_table.py sets read_voltage = 0.1 (line 31): change it to ${data.readVoltage}, the voltage these currents were read at.`;
  return [
    { name: 'set.csv', text: rampsCsv(setRamps, data.readVoltage) },
    { name: 'reset.csv', text: rampsCsv(resetRamps, data.readVoltage) },
    {
      name: 'crosssim.json',
      text: `${JSON.stringify(
        {
          device: data.name,
          source: data.source,
          lookup_tables: {
            files: ['set.csv', 'reset.csv'],
            read_voltage: data.readVoltage,
            note: 'Read currents (A) at read_voltage after each identical pulse, one column per ramp; the loader divides by read_voltage.',
            read_voltage_note: readNote,
            ...lookup,
          },
          xbar: { device },
          notes,
        },
        null,
        2,
      )}\n`,
    },
  ];
}

/** The inverse: set.csv / reset.csv back to conductance ramps (what CrossSim's loader reads). */
export function rampsFromCrossSim(text: string, readVoltage: number, fileName = 'set.csv'): number[][] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new ProfileFormatError(`${fileName}: a header and at least one row are needed`);
  const columns = lines[0]!.split(',').length;
  const ramps: number[][] = Array.from({ length: columns }, () => []);
  for (const [row, line] of lines.slice(1).entries()) {
    const cells = line.split(',');
    for (let c = 0; c < columns; c++) {
      const text = (cells[c] ?? '').trim();
      if (text === '') continue;
      const value = Number(text);
      if (!Number.isFinite(value))
        throw new ProfileFormatError(
          `${fileName} line ${row + 2}, column ${c + 1}: '${text}' is not a number`,
        );
      // As the loader does: zeros are dropped, currents become conductances.
      if (value !== 0) ramps[c]!.push(value / readVoltage);
    }
  }
  return ramps.filter((r) => r.length > 0);
}

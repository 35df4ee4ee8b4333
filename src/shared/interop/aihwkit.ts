/**
 * IBM aihwkit: a PiecewiseStepDevice from the measured step sizes (the normalisation of aihwkit's
 * examples/21_fit_device_data.py, with two unit slips of that example corrected: see
 * docs/interop.md), a SoftBoundsPmaxDevice (NeuroSim's model, α = 1/A), and a
 * CustomPairConductanceConverter for inference from the level table.
 */
import { ProfileFormatError } from '../profile/json';
import { selectLevels } from '../levels/level-table';
import { c2cFraction, commonWindow, type DeviceData } from './device-data';
import type { ExportFile } from './neurosim';

export interface PiecewiseStep {
  w_min: number;
  w_max: number;
  dw_min: number;
  up_down: number;
  dw_min_std: number;
  dw_min_dtod: number;
  w_min_dtod: number;
  w_max_dtod: number;
  up_down_dtod: number;
  write_noise_std: number;
  reset_std: number;
  piecewise_up: number[];
  piecewise_down: number[];
}

/**
 * Step size per segment of the weight range, as aihwkit's example 21 computes it: the pulses a
 * curve spends in each of n equal segments of [−1, 1] give the mean step there (2/n per count).
 */
function segmentSteps(weights: readonly number[], segments: number): number[] {
  const counts = new Array<number>(segments).fill(0);
  for (const w of weights) {
    if (w < -1 || w > 1) continue;
    counts[Math.min(segments - 1, Math.floor(((w + 1) / 2) * segments))]!++;
  }
  // A segment the curve jumps over (no sample) gets its neighbours' step (it was crossed in < 1 pulse).
  const steps = counts.map((c) => (c > 0 ? 2 / segments / c : Number.NaN));
  for (let k = 0; k < segments; k++) {
    if (!Number.isNaN(steps[k]!)) continue;
    const left = steps
      .slice(0, k)
      .reverse()
      .find((v) => !Number.isNaN(v));
    const right = steps.slice(k + 1).find((v) => !Number.isNaN(v));
    steps[k] = Math.max(left ?? 0, right ?? 0, 2 / segments);
  }
  return steps;
}

export function piecewiseStep(
  data: DeviceData,
  segments = 10,
): { device: PiecewiseStep; gMin: number; gMax: number } {
  const { gMin, gMax } = commonWindow(data);
  const toW = (g: number) => ((g - gMin) / (gMax - gMin)) * 2 - 1;
  const up = segmentSteps(data.ltp.map(toW), segments);
  const down = segmentSteps(data.ltd.map(toW), segments);
  const center = segments >> 1;
  const centerUp = up[center]!;
  const centerDown = down[center]!;
  const dwMin = Math.max(centerUp, centerDown);
  // Cycle-to-cycle σ per pulse, in weight units (the range is 2), relative to a step.
  const sigmaW = 2 * c2cFraction(data);
  return {
    gMin,
    gMax,
    device: {
      w_min: -1,
      w_max: 1,
      dw_min: dwMin,
      // Relative, as PulsedRPUDevice::populate uses it: Δw_down = (1 − up_down)·dw_min when > 0.
      up_down: (centerUp - centerDown) / dwMin,
      dw_min_std: sigmaW / dwMin,
      dw_min_dtod: 0,
      ...boundsDtod(data, gMin, gMax),
      up_down_dtod: 0,
      write_noise_std: 0,
      reset_std: 0,
      piecewise_up: up.map((s) => s / centerUp),
      piecewise_down: down.map((s) => s / centerDown),
    },
  };
}

/**
 * Device-to-device spread of the hard bounds, relative to them as aihwkit takes w_min_dtod and
 * w_max_dtod: with w = 2(G − g_min)/(g_max − g_min) − 1, a cell's Gmax off by δ moves its w_max
 * (= 1) by 2δ/(g_max − g_min), and likewise w_min (= −1) with Gmin. 0 for one device.
 */
export function boundsDtod(
  data: DeviceData,
  gMin: number,
  gMax: number,
): { w_min_dtod: number; w_max_dtod: number } {
  const spread = data.table.cellSpread;
  const relative = (sd: number | undefined) => (sd ? (2 * sd) / (gMax - gMin) : 0);
  return { w_min_dtod: relative(spread?.gMin?.sd), w_max_dtod: relative(spread?.gMax?.sd) };
}

/** The up and down steps a PiecewiseStepDevice takes at weight w (rpu_piecewisestep_device.cpp). */
export function piecewiseStepAt(device: PiecewiseStep, w: number): { up: number; down: number } {
  const upBias = device.up_down > 0 ? 0 : device.up_down;
  const downBias = device.up_down > 0 ? -device.up_down : 0;
  const scaleUp = (1 + upBias) * device.dw_min;
  const scaleDown = (1 + downBias) * device.dw_min;
  const sections = device.piecewise_up.length - 1;
  const scaled = Math.max(((w - device.w_min) / (device.w_max - device.w_min)) * sections, 0);
  const index = Math.min(Math.floor(scaled), sections - 1);
  const t = Math.min(scaled - index, 1);
  const at = (v: number[]) => (1 - t) * v[index]! + t * v[index + 1]!;
  return { up: scaleUp * at(device.piecewise_up), down: scaleDown * at(device.piecewise_down) };
}

/** The noise-free potentiation curve a PiecewiseStepDevice follows from w_min (the inverse export). */
export function piecewiseUpCurve(device: PiecewiseStep, maxPulses = 100_000): number[] {
  const curve = [device.w_min];
  let w = device.w_min;
  while (w < device.w_max - 1e-9 && curve.length <= maxPulses) {
    w = Math.min(device.w_max, w + piecewiseStepAt(device, w).up);
    curve.push(w);
  }
  return curve;
}

/**
 * The variation fields of aihwkit's pulsed devices, set on purpose: aihwkit's defaults (dw_min_std
 * 0.3, *_dtod 0.3, up_down_dtod 0.01, reset_std 0.01) would add a device we never measured.
 * Cycle-to-cycle: the measured σ per pulse relative to dw_min. Device-to-device: 0 (one cell).
 */
export interface PulsedVariation {
  dw_min_std: number;
  dw_min_dtod: number;
  w_min_dtod: number;
  w_max_dtod: number;
  up_down_dtod: number;
  reset_std: number;
  write_noise_std: number;
}

export interface SoftBoundsPmax extends PulsedVariation {
  p_max: number;
  alpha: number;
  range_min: number;
  range_max: number;
}

/** NeuroSim's exponential model is aihwkit's soft bounds with α = 1/A, one curvature for both directions. */
export function softBoundsPmax(data: DeviceData): SoftBoundsPmax | undefined {
  const fit = data.fits.ltp;
  if (!fit) return undefined;
  const pMax = Math.round(fit.pMax);
  // SoftBoundsPmaxDevice.as_bindings: dw_min = b_factor·α, b_factor = 2/(1 − e^(−α·p_max)).
  const alpha = 1 / fit.a;
  const dwMin = (2 * alpha) / (1 - Math.exp(-alpha * pMax));
  return {
    p_max: pMax,
    alpha,
    range_min: -1,
    range_max: 1,
    dw_min_std: (2 * c2cFraction(data)) / dwMin,
    dw_min_dtod: 0,
    ...boundsDtod(data, commonWindow(data).gMin, commonWindow(data).gMax),
    up_down_dtod: 0,
    reset_std: 0,
    write_noise_std: 0,
  };
}

export interface CustomPairConverter {
  f_lst: number[];
  /** µS, at weights evenly spaced over [−max|w|, max|w|]. */
  g_lst: number[][];
  g_min: number;
  g_max: number;
}

/**
 * The levels as one differential pair for inference. aihwkit lists conductances at weights evenly
 * spaced over [−max|w|, max|w|], interpolates between them, and inverts the pair difference
 * (its invertibility_test), so that difference must be linear in the index: the list places the
 * 2^bits levels evenly over the measured window [G_0, G_top], the positive device carrying
 * weights above zero and the negative one below. That is linear mapping without quantization:
 * the measured non-linear spacing cannot be carried by this converter (aihwkit has no MES).
 */
export function customPairConverter(data: DeviceData, bits: number): CustomPairConverter {
  const levels = selectLevels(
    data.table,
    Math.min(bits, Math.floor(Math.log2(data.table.levels.length))),
  ).levels.map((l) => l.g * 1e6);
  const L = levels.length;
  const gLow = levels[0]!;
  const step = (levels[L - 1]! - gLow) / (L - 1);
  const gp: number[] = [];
  const gm: number[] = [];
  for (let i = 0; i < 2 * L - 1; i++) {
    const k = i - (L - 1);
    gp.push(gLow + Math.max(k, 0) * step);
    gm.push(gLow + Math.max(-k, 0) * step);
  }
  return { f_lst: [1.0], g_lst: [gp, gm], g_min: gLow, g_max: levels[L - 1]! };
}

const py = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(py).join(', ')}]`
    : typeof value === 'number'
      ? Number(value.toPrecision(8)).toString()
      : typeof value === 'boolean'
        ? value
          ? 'True'
          : 'False'
        : JSON.stringify(value);

export function aihwkitFiles(data: DeviceData, bits: number): ExportFile[] {
  const piecewise = piecewiseStep(data);
  const soft = softBoundsPmax(data);
  const converter = customPairConverter(data, bits);
  const json = {
    device: data.name,
    source: data.source,
    window: { g_min_uS: piecewise.gMin * 1e6, g_max_uS: piecewise.gMax * 1e6 },
    PiecewiseStepDevice: piecewise.device,
    SoftBoundsPmaxDevice: soft ?? null,
    CustomPairConductanceConverter: converter,
    notes: [
      'Weights w ∈ [−1, 1] map linearly to conductance over the window (w_min ↔ g_min).',
      data.table.cellSpread?.gMin || data.table.cellSpread?.gMax
        ? `Variation, set on purpose in both devices: dw_min_std is the measured cycle-to-cycle σ per pulse relative to dw_min; w_min_dtod and w_max_dtod are the σ of the ${data.table.cellSpread.cells.length} cells' Gmin and Gmax, relative to the bounds (2σ/(g_max − g_min)); dw_min_dtod, up_down_dtod, reset_std and write_noise_std are 0 (not measured as such; aihwkit's defaults would add 0.3).`
        : 'Variation, set on purpose in both devices: dw_min_std is the measured cycle-to-cycle σ per pulse relative to dw_min; dw_min_dtod, w_min_dtod, w_max_dtod, up_down_dtod, reset_std and write_noise_std are 0 (one measured device; aihwkit’s defaults would add 0.3 device-to-device spread).',
      'up_down is relative (aihwkit: Δw_down = (1 − up_down)·dw_min when positive), unlike example 21, which subtracts absolute steps.',
      'SoftBoundsPmaxDevice takes the LTP curvature for both directions.',
      `The converter lists ${(converter.g_lst[0]!.length + 1) >> 1} levels evenly spaced over the measured window ${py(converter.g_min)}–${py(converter.g_max)} µS: aihwkit interpolates between list entries and requires the pair difference to be linear in the index (its invertibility_test), so the measured non-linear spacing does not carry over (linear mapping; ReRAM Bench predicts MES on the measured levels).`,
    ],
  };
  const args = (o: object) =>
    Object.entries(o)
      .map(([k, v]) => `    ${k}=${py(v)},`)
      .join('\n');
  const python = [
    `# ReRAM Bench → aihwkit: ${data.name} (${data.source})`,
    'from aihwkit.simulator.configs import PiecewiseStepDevice, SoftBoundsPmaxDevice',
    'from aihwkit.inference.converter.conductance import CustomPairConductanceConverter',
    '',
    `device = PiecewiseStepDevice(\n${args(piecewise.device)}\n)`,
    '',
    soft ? `soft_bounds = SoftBoundsPmaxDevice(\n${args(soft)}\n)` : '# No LTP fit: no SoftBoundsPmaxDevice.',
    '',
    `converter = CustomPairConductanceConverter(\n${args(converter)}\n)`,
    '',
    "if __name__ == '__main__':",
    '    print(device)',
    soft ? '    print(soft_bounds)' : "    print('no SoftBoundsPmaxDevice')",
    '    print(converter)',
    '',
  ].join('\n');
  return [
    { name: 'aihwkit.json', text: `${JSON.stringify(json, null, 2)}\n` },
    { name: 'aihwkit_device.py', text: python },
  ];
}

/** The inverse: our aihwkit.json back to a potentiation curve in siemens (piecewise device replayed). */
export function curveFromAihwkit(text: string): number[] {
  let parsed: { PiecewiseStepDevice?: PiecewiseStep; window?: { g_min_uS?: number; g_max_uS?: number } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    throw new ProfileFormatError(`not valid JSON: ${(error as Error).message}`);
  }
  const device = parsed.PiecewiseStepDevice;
  const gMin = parsed.window?.g_min_uS;
  const gMax = parsed.window?.g_max_uS;
  if (
    !device ||
    !Array.isArray(device.piecewise_up) ||
    device.piecewise_up.length < 2 ||
    !(device.dw_min > 0)
  )
    throw new ProfileFormatError(
      'PiecewiseStepDevice with piecewise_up (≥ 2 values) and dw_min > 0 is required',
    );
  if (typeof gMin !== 'number' || typeof gMax !== 'number' || !(gMax > gMin && gMin >= 0))
    throw new ProfileFormatError('window.g_min_uS < window.g_max_uS is required to return to siemens');
  return piecewiseUpCurve(device).map((w) => ((w + 1) / 2) * (gMax - gMin) * 1e-6 + gMin * 1e-6);
}

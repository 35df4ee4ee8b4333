/**
 * A die of simulated cells built from a published device preset, with device-to-device
 * variation of Gmin, Gmax and NL. The electrical parameters (thresholds, nominal pulse, forming)
 * are not part of the published data: they are typical values for filamentary oxide ReRAM,
 * scaled to each device's conductance range.
 */
import { modelFromNl, NL_MAX, NL_MIN } from '../../shared/levels/pulse-model';
import { DEVICE_PRESETS, findPreset, type DevicePreset } from '../../shared/levels/presets';
import { invalidInput } from '../../shared/errors';
import { Rng } from '../../shared/random';
import { Cell, type CellElectrical, type CellParameters } from './cell';

export interface DieOptions {
  preset: DevicePreset;
  cells: number;
  seed: number;
  /** Scales cycle-to-cycle and read noise (0 = noiseless). */
  noiseScale?: number;
  /** Scales device-to-device variation (0 = identical cells). */
  d2dScale?: number;
  /** Median SET/RESET cycles to a 50 % window (log-normal over cells, σ_ln 0.3); default: no wear. */
  enduranceCycles?: number;
  /** Median ν of the cells' retention drift (log-normal over cells, σ_ln 0.2); default: no drift. */
  driftNu?: number;
}

export const DRIFT_SIGMA_LN = 0.2;

/** Log-normal spread of the cells' endurance. */
export const ENDURANCE_SIGMA_LN = 0.3;

/** Relative device-to-device σ of Gmin, Gmax and NL at d2dScale = 1. */
export const D2D_SIGMA = { gMin: 0.05, gMax: 0.05, nl: 0.05 };
export const READ_NOISE = 0.005;

export function electricalFor(preset: DevicePreset): CellElectrical {
  return {
    setThreshold: 0.9,
    resetThreshold: 0.9,
    setNominal: 1.5,
    resetNominal: -1.5,
    nominalWidth: 1e-3,
    amplitudeExponent: 2,
    widthExponent: 1,
    formingVoltage: 3.0,
    pristineConductance: preset.gMin / 50,
    // An order of magnitude above the forming current the device needs.
    damageCurrent: 100 * preset.gMax * 3.0,
    shortedConductance: 1e-2,
  };
}

function vary(rng: Rng, value: number, sigma: number): number {
  return value * (1 + sigma * rng.normal());
}

export class Die {
  readonly cells: Cell[];
  /**
   * The die's sample id: its preset and seed, and when this die was made. The cells' state lives
   * in this process, so a restarted simulator is a new (pristine) die, even with the same seed.
   */
  readonly id: string;

  constructor(readonly options: DieOptions) {
    // The tag tells apart two dies started in the same second (not part of the physics).
    const tag = Math.floor(Math.random() * 36 ** 4)
      .toString(36)
      .padStart(4, '0');
    this.id = `${options.preset.name} seed ${options.seed} ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} ${tag}`;
    const root = new Rng(options.seed);
    const d2d = options.d2dScale ?? 1;
    const noise = options.noiseScale ?? 1;
    const p = options.preset;
    this.cells = Array.from({ length: options.cells }, (_, index) => {
      const rng = root.fork(index);
      let gMin = vary(rng, p.gMin, D2D_SIGMA.gMin * d2d);
      let gMax = vary(rng, p.gMax, D2D_SIGMA.gMax * d2d);
      if (gMax < gMin * 1.2) [gMin, gMax] = [Math.min(gMin, gMax), Math.max(gMin, gMax) * 1.2];
      const clampNl = (nl: number) => Math.min(NL_MAX, Math.max(NL_MIN, Math.abs(nl)));
      const nlLtp = clampNl(vary(rng, p.nlLtp, D2D_SIGMA.nl * d2d));
      const nlLtd = clampNl(vary(rng, p.nlLtd, D2D_SIGMA.nl * d2d));
      const electrical = electricalFor(p);
      electrical.formingVoltage = vary(rng, electrical.formingVoltage, 0.05 * d2d);
      const params: CellParameters = {
        ltp: modelFromNl({ gMin, gMax, nl: nlLtp, pMax: p.levelsLtp }),
        ltd: modelFromNl({ gMin, gMax, nl: nlLtd, pMax: p.levelsLtd }),
        c2cSigma: p.c2cSigma * noise,
        readNoise: READ_NOISE * noise,
        electrical,
      };
      const writeRng = rng.fork(1);
      const readRng = rng.fork(2);
      // Drawn after every other draw of the cell, so dies without wear keep their old cells.
      const median = options.enduranceCycles ?? Infinity;
      const nu = options.driftNu ?? 0;
      if (Number.isFinite(median) || nu > 0) {
        const wear = rng.fork(3).normal();
        const drift = rng.fork(4).normal();
        if (Number.isFinite(median)) params.enduranceCycles = median * Math.exp(ENDURANCE_SIGMA_LN * wear);
        if (nu > 0) params.driftNu = nu * Math.exp(DRIFT_SIGMA_LN * drift);
      }
      return new Cell(params, writeRng, readRng);
    });
  }

  static fromPresetName(name: string, options: Omit<DieOptions, 'preset'>): Die {
    const preset = findPreset(name);
    if (!preset)
      throw invalidInput(
        `Unknown device preset '${name}'; choose from ${DEVICE_PRESETS.map((p) => p.name).join(', ')}.`,
      );
    return new Die({ ...options, preset });
  }
}

/**
 * Read-only profiles built from the published NeuroSim device data (levels/presets.ts): the
 * potentiation curve, one level per pulse count, in two tables that differ in what σ means
 * (docs/methods.md, "σ that means something"):
 * - write-verify: each state programmed with verification to ± 0.2 of the level spacing (the
 *   write-verify procedure's default band); accepted reads spread uniformly over the band give
 *   σ = 0.2·spacing/√3, and never more than one pulse's spread, C2C σ × (Gmax − Gmin);
 * - open-loop (pulse train): the state after P identical pulses from reset, whose spread grows as
 *   NeuroSim's cycle-to-cycle model accumulates it, C2C σ × (Gmax − Gmin) × √P, at most that of
 *   a state spread uniformly over the whole window, (Gmax − Gmin)/√12.
 */
import { conductanceAfter, modelFromNl } from '../levels/pulse-model';
import { DEVICE_PRESETS, type DevicePreset } from '../levels/presets';
import type { FittedCurve, LevelTable } from '../levels/level-table';
import { PROFILE_SCHEMA_VERSION, SI_UNITS, type DeviceProfile } from './schema';

export const PRESET_READ_VOLTAGE = 0.1;
const PRESET_DATE = '2026-01-01T00:00:00.000Z';
/** The write-verify procedure's default acceptance band, as a fraction of the level spacing. */
export const PRESET_VERIFY_TOLERANCE = 0.2;

export function presetSigmas(preset: DevicePreset): {
  writeVerify: number;
  openLoop: (pulses: number) => number;
} {
  const window = preset.gMax - preset.gMin;
  const step = preset.c2cSigma * window;
  const spacing = window / preset.levelsLtp;
  return {
    writeVerify: Math.min(step, (PRESET_VERIFY_TOLERANCE * spacing) / Math.sqrt(3)),
    openLoop: (pulses) => Math.min(step * Math.sqrt(pulses), window / Math.sqrt(12)),
  };
}

export function presetProfile(preset: DevicePreset, softwareVersion: string): DeviceProfile {
  const model = modelFromNl({
    gMin: preset.gMin,
    gMax: preset.gMax,
    nl: preset.nlLtp,
    pMax: preset.levelsLtp,
  });
  const sigmas = presetSigmas(preset);
  // The published model itself, as the fits a measurement would give (exports need them).
  const fit = (direction: 'ltp' | 'ltd'): FittedCurve => {
    const nl = direction === 'ltp' ? preset.nlLtp : preset.nlLtd;
    const pMax = direction === 'ltp' ? preset.levelsLtp : preset.levelsLtd;
    const curve = modelFromNl({ gMin: preset.gMin, gMax: preset.gMax, nl: Math.abs(nl), pMax });
    return {
      direction,
      gMin: curve.gMin,
      gMax: curve.gMax,
      a: curve.a,
      pMax,
      nl: Math.abs(nl),
      nlClamped: false,
      r2: 1,
      rmse: 0,
      c2cSigma: preset.c2cSigma,
      uncertainty: { gMin: 0, gMax: 0, a: 0, nl: 0 },
      points: 0,
      cycles: 0,
    };
  };
  const states = Array.from({ length: preset.levelsLtp + 1 }, (_, n) => conductanceAfter(model, n, 'ltp'));
  const table = (kind: 'write-verify' | 'open-loop'): LevelTable => {
    const levels = states.map((g, n) => ({
      g,
      sigma: kind === 'write-verify' ? sigmas.writeVerify : sigmas.openLoop(n),
      n: 0,
    }));
    return {
      name: `${preset.name} ${kind === 'write-verify' ? 'write-verify' : 'pulse train (open loop)'}`,
      levels,
      gMin: levels[0]!.g,
      gMax: levels[levels.length - 1]!.g,
      readVoltage: PRESET_READ_VOLTAGE,
      programming: kind,
      fits: [fit('ltp'), fit('ltd')],
      provenance: {
        runIds: [],
        createdAt: PRESET_DATE,
        softwareVersion,
        method: `NeuroSim pulse-response model; σ ${kind === 'write-verify' ? `write-verify, ±${PRESET_VERIFY_TOLERANCE} of the spacing` : 'open loop, C2C σ·√P'}`,
        warnings: [],
      },
    };
  };
  return {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    name: preset.name,
    materialStack: preset.materialStack,
    sample: {},
    notes: `Published device data (${preset.reference}). NL ${preset.nlLtp} / ${preset.nlLtd}, ${preset.levelsLtp} / ${preset.levelsLtd} pulses, C2C σ ${(preset.c2cSigma * 100).toFixed(1)} %. Two tables, the same states: "write-verify" σ = min(C2C σ·(Gmax − Gmin), ${PRESET_VERIFY_TOLERANCE}·spacing/√3) is what verified programming leaves; "pulse train (open loop)" σ = C2C σ·(Gmax − Gmin)·√P grows with the pulses from reset.`,
    units: SI_UNITS,
    tables: [table('write-verify'), table('open-loop')],
    provenance: {
      source: 'preset',
      createdAt: PRESET_DATE,
      softwareVersion,
      runIds: [],
      reference: preset.reference,
    },
  };
}

export function builtinProfiles(softwareVersion: string): DeviceProfile[] {
  return DEVICE_PRESETS.map((preset) => presetProfile(preset, softwareVersion));
}

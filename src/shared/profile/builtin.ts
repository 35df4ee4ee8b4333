/**
 * Read-only profiles built from the published NeuroSim device data (levels/presets.ts): the full
 * potentiation curve, one level per pulse count. Each level's σ is the preset's cycle-to-cycle σ
 * times (Gmax − Gmin), the spread of one programming step, i.e. of a write-verified state.
 */
import { conductanceAfter, modelFromNl } from '../levels/pulse-model';
import { DEVICE_PRESETS, type DevicePreset } from '../levels/presets';
import { PROFILE_SCHEMA_VERSION, SI_UNITS, type DeviceProfile } from './schema';

export const PRESET_READ_VOLTAGE = 0.1;
const PRESET_DATE = '2026-01-01T00:00:00.000Z';

export function presetProfile(preset: DevicePreset, softwareVersion: string): DeviceProfile {
  const model = modelFromNl({
    gMin: preset.gMin,
    gMax: preset.gMax,
    nl: preset.nlLtp,
    pMax: preset.levelsLtp,
  });
  const sigma = preset.c2cSigma * (preset.gMax - preset.gMin);
  const levels = Array.from({ length: preset.levelsLtp + 1 }, (_, n) => ({
    g: conductanceAfter(model, n, 'ltp'),
    sigma,
    n: 0,
  }));
  return {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    name: preset.name,
    materialStack: preset.materialStack,
    sample: {},
    notes: `Published device data (${preset.reference}). NL ${preset.nlLtp} / ${preset.nlLtd}, ${preset.levelsLtp} / ${preset.levelsLtd} pulses, C2C σ ${(preset.c2cSigma * 100).toFixed(1)} %. Level σ = C2C σ × (Gmax − Gmin).`,
    units: SI_UNITS,
    tables: [
      {
        name: `${preset.name} LTP`,
        levels,
        gMin: levels[0]!.g,
        gMax: levels[levels.length - 1]!.g,
        readVoltage: PRESET_READ_VOLTAGE,
        fits: [],
        provenance: {
          runIds: [],
          createdAt: PRESET_DATE,
          softwareVersion,
          method: 'NeuroSim pulse-response model',
          warnings: [],
        },
      },
    ],
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

/**
 * Published analog-synapse device data as used by NeuroSim (docs/architecture.md §4). These numbers are
 * the source for the virtual SMU's cells and for the built-in read-only device profiles.
 */
export interface DevicePreset {
  id: string;
  name: string;
  materialStack: string;
  nlLtp: number;
  nlLtd: number;
  /** Pulses for a full swing (NeuroSim's maxNumLevel). */
  levelsLtp: number;
  levelsLtd: number;
  gMax: number;
  gMin: number;
  /** Cycle-to-cycle σ as a fraction of (Gmax − Gmin). */
  c2cSigma: number;
  reference: string;
}

export const DEVICE_PRESETS: readonly DevicePreset[] = [
  {
    id: 'ag-asi',
    name: 'Ag:a-Si',
    materialStack: 'Ag / a-Si / p-Si',
    nlLtp: 2.4,
    nlLtd: -4.88,
    levelsLtp: 97,
    levelsLtd: 100,
    gMax: 38.5e-9,
    gMin: 3.08e-9,
    c2cSigma: 0.035,
    reference: 'Jo et al., Nano Lett. 10, 1297 (2010); NeuroSim device table',
  },
  {
    id: 'taox-hfox',
    name: 'TaOx/HfOx',
    materialStack: 'TaOx / HfOx',
    nlLtp: 0.04,
    nlLtd: -0.63,
    levelsLtp: 128,
    levelsLtd: 128,
    gMax: 10e-6,
    gMin: 1e-6,
    c2cSigma: 0.037,
    reference: 'Wu et al., VLSI 2018; NeuroSim device table',
  },
  {
    id: 'alox-hfo2',
    name: 'AlOx/HfO2',
    materialStack: 'AlOx / HfO2',
    nlLtp: 1.94,
    nlLtd: -0.61,
    levelsLtp: 40,
    levelsLtd: 40,
    gMax: 59.2e-6,
    gMin: 13.4e-6,
    c2cSigma: 0.05,
    reference: 'Woo et al., IEEE EDL 37, 994 (2016); NeuroSim device table',
  },
  {
    id: 'epiram',
    name: 'EpiRAM',
    materialStack: 'SiGe epitaxial RAM',
    nlLtp: 0.5,
    nlLtd: -0.5,
    levelsLtp: 256,
    levelsLtd: 256,
    gMax: 12.3e-6,
    gMin: 0.246e-6,
    c2cSigma: 0.02,
    reference: 'Choi et al., Nature Mater. 17, 335 (2018); NeuroSim device table',
  },
];

/** Looks a preset up by id or by its display name, case-insensitively ("AlOx/HfO2", "alox-hfo2"). */
export function findPreset(nameOrId: string): DevicePreset | undefined {
  const key = nameOrId.trim().toLowerCase();
  return DEVICE_PRESETS.find((p) => p.id === key || p.name.toLowerCase() === key);
}

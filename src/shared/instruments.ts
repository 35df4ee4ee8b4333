/**
 * The source-measure units ReRAM Bench drives, declared once: id, label, how they connect, and
 * the manual's facts that both the drivers and the virtual SMU follow. Adding a model is one
 * entry here, its driver file, and its dialect in the virtual SMU.
 */

export const SMU_MODEL_IDS = ['2400', '2450', 'b2900'] as const;
export type SmuModelId = (typeof SMU_MODEL_IDS)[number];

export type LinkKind = 'serial' | 'gpib' | 'lan' | 'usb';

export interface SmuModelInfo {
  id: SmuModelId;
  label: string;
  /** How labs connect it. */
  links: readonly LinkKind[];
  terminals: readonly ('front' | 'rear')[];
  maxVoltage: number;
  maxCompliance: number;
  /** Integration range in PLC (the B2900's follows from its 8 µs – 2 s aperture). */
  nplc: (lineFrequency: number) => { min: number; max: number };
}

export const SMU_MODELS: Readonly<Record<SmuModelId, SmuModelInfo>> = {
  '2400': {
    id: '2400',
    label: 'Keithley 2400',
    links: ['serial', 'gpib'],
    terminals: ['front', 'rear'],
    maxVoltage: 210,
    maxCompliance: 1.05,
    nplc: () => ({ min: 0.01, max: 10 }),
  },
  '2450': {
    id: '2450',
    label: 'Keithley 2450',
    links: ['lan', 'usb', 'gpib'],
    terminals: ['front', 'rear'],
    maxVoltage: 210,
    maxCompliance: 1.05,
    nplc: () => ({ min: 0.01, max: 10 }),
  },
  b2900: {
    id: 'b2900',
    label: 'Keysight B2900',
    links: ['lan', 'usb', 'gpib'],
    terminals: ['rear'],
    maxVoltage: 210,
    maxCompliance: 3.03,
    nplc: (f) => ({ min: 8e-6 * f, max: 2 * f }),
  },
};

/** Case-insensitive model lookup for flags and files ("B2900", "b2900", "2400"). */
export function findSmuModel(text: string): SmuModelInfo | undefined {
  const key = text.trim().toLowerCase();
  return Object.values(SMU_MODELS).find((m) => m.id === key);
}

/**
 * Keithley 2400 source-delay-measure timing (User's Manual, "Timing" and auto-zero): with
 * auto-zero on, each function's conversion integrates signal, reference and zero; with V and I
 * measured concurrently there are two functions. The fixed part (settling, A/D and firmware) is
 * an estimate; the achieved width of a pulse is reported as "model" for that reason.
 */
export const K2400_TIMING = {
  functions: 2,
  autoZeroFactor: 3,
  fixedOverheadS: 0.5e-3,
  minNplc: 0.01,
  /** :SOURce:DELay, 0 to 999.9999 s (2400 SCPI reference). */
  maxSourceDelayS: 999.9999,
} as const;

/** The 2450's source delay, :SOURce:VOLTage:DELay, 0 to 4 s (reference manual p. 2-111). */
export const K2450_TIMING = {
  maxSourceDelayS: 4,
} as const;

/** Seconds the 2400's output is on for one source-delay-measure cycle. */
export function k2400CycleSeconds(
  sourceDelay: number,
  nplc: number,
  lineFrequency: number,
  autoZero: boolean,
): number {
  const conversions = K2400_TIMING.functions * (autoZero ? K2400_TIMING.autoZeroFactor : 1);
  return sourceDelay + (conversions * nplc) / lineFrequency + K2400_TIMING.fixedOverheadS;
}

/** The B2900's pulse width range (User's Guide, "Pulse Output"). */
export const B2900_PULSE = {
  minWidthS: 50e-6,
  maxWidthS: 100_000,
  minApertureS: 8e-6,
  maxApertureS: 2,
} as const;

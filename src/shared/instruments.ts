/**
 * The source-measure units ReRAM Bench drives, declared once: id, label, how they connect, and
 * the manual's facts that both the drivers and the virtual SMU follow. Adding a model is one
 * entry here, its driver file, and its dialect in the virtual SMU.
 */

export const SMU_MODEL_IDS = ['2400', '2450', 'b2900', '2600', 'b1500', '4200a'] as const;
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
  /** Where messages end with something other than LF on the LAN (KXCI: NUL). */
  lanTerminator?: 'NUL';
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
  '2600': {
    id: '2600',
    label: 'Keithley 2600B (TSP)',
    links: ['lan', 'usb', 'gpib'],
    terminals: ['rear'],
    maxVoltage: 200,
    maxCompliance: 1.5,
    nplc: () => ({ min: 0.001, max: 25 }),
  },
  b1500: {
    id: 'b1500',
    label: 'Keysight B1500A (FLEX)',
    links: ['gpib', 'lan'],
    terminals: ['rear'],
    // The HRSMU/MPSMU modules: ±100 V, 100 mA.
    maxVoltage: 100,
    maxCompliance: 0.1,
    // High-speed ADC in time mode (2 µs – 20 ms) below 1 PLC; high-resolution ADC in PLC mode (1–100).
    nplc: (f) => ({ min: B1500_FLEX.minAdcTimeS * f, max: 100 }),
  },
  '4200a': {
    id: '4200a',
    label: 'Keithley 4200A-SCS (KXCI)',
    links: ['lan', 'gpib'],
    terminals: ['rear'],
    // The 4200-SMU (medium power): ±210 V, 100 mA; the 4210-SMU's 1 A is not offered here.
    maxVoltage: 210,
    maxCompliance: 0.1,
    nplc: () => ({ min: K4200_KXCI.minPlc, max: K4200_KXCI.maxPlc }),
    lanTerminator: 'NUL',
  },
};

/** Case-insensitive model lookup for flags and files ("B2900", "b2900", "2400"). */
export function findSmuModel(text: string): SmuModelInfo | undefined {
  const key = text.trim().toLowerCase();
  return Object.values(SMU_MODELS).find((m) => m.id === key);
}

/**
 * Keithley 2400 source-delay-measure timing, from the 2400 Series User's Manual, Appendix A
 * ("Source-Delay-Measure (SDM) cycle timing", Cases I–III, p. of the 2410/2440 editions):
 *   on-time = source configuration + source delay + conversions × (NPLC / f + 185 µs) + firmware
 * with 50 µs source configuration; one conversion per measured function, plus the reference and
 * reference-zero phases (two more) with auto-zero on; firmware overhead (source V) 1.8 ms for one
 * function and 2.3 ms for two with auto-zero on, 0.3 ms for one function with it off. Two
 * functions with auto-zero off (Case IV) is not in the pages we hold: taken as 0.3 ms too. Widths
 * computed from these terms are estimates ("model"), never measured.
 */
export const K2400_TIMING = {
  sourceConfigurationS: 50e-6,
  conversionOverheadS: 185e-6,
  firmwareOverheadS: { autoZero: [1.8e-3, 2.3e-3], noAutoZero: [0.3e-3, 0.3e-3] },
  minNplc: 0.01,
  /** :SOURce:DELay, 0 to 999.9999 s (2400 SCPI reference). */
  maxSourceDelayS: 999.9999,
} as const;

/** The 2450's source delay, :SOURce:VOLTage:DELay, 0 to 4 s (reference manual p. 2-111). */
export const K2450_TIMING = {
  maxSourceDelayS: 4,
  /**
   * A reading's A/D and firmware time beyond its integration: our estimate (the 2450 manual gives
   * no timing appendix), so trigger-model pulse widths are reported as estimates ("model").
   */
  readingOverheadS: 0.5e-3,
} as const;

/** A/D conversions in one 2400 reading: one per function, and two reference phases with auto-zero. */
export function k2400Conversions(functions: 1 | 2, autoZero: boolean): number {
  return autoZero ? functions + 2 : functions;
}

/** The 2400's firmware overhead for a reading (source V). */
export function k2400FirmwareSeconds(functions: 1 | 2, autoZero: boolean): number {
  return K2400_TIMING.firmwareOverheadS[autoZero ? 'autoZero' : 'noAutoZero'][functions - 1]!;
}

/** Seconds the 2400's output is on for one source-delay-measure cycle (Appendix A). */
export function k2400CycleSeconds(
  sourceDelay: number,
  nplc: number,
  lineFrequency: number,
  autoZero: boolean,
  functions: 1 | 2 = 2,
): number {
  return (
    K2400_TIMING.sourceConfigurationS +
    sourceDelay +
    k2400Conversions(functions, autoZero) * (nplc / lineFrequency + K2400_TIMING.conversionOverheadS) +
    k2400FirmwareSeconds(functions, autoZero)
  );
}

/** The B2900's pulse width range (User's Guide, "Pulse Output"). */
export const B2900_PULSE = {
  minWidthS: 50e-6,
  maxWidthS: 100_000,
  minApertureS: 8e-6,
  maxApertureS: 2,
} as const;

/**
 * Keithley 2600B (2601B/2602B/2611B/2612B/2635B/2636B) pulses in the TSP trigger model: the
 * source action starts the pulse, trigger timer 1 (armed with it) ends it through the end-pulse
 * action, and the measurement sits at the end of the top (its measure delay). The datasheet's
 * shortest programmable pulse is 100 µs; a reading's overhead beyond its integration is our
 * estimate, as the reference manual gives no timing table.
 */
export const K2600_PULSE = {
  minWidthS: 100e-6,
  /** Trigger timer delay limit (reference manual: up to 100,000 s); a practical ceiling for one pulse. */
  maxWidthS: 100,
  readingOverheadS: 0.1e-3,
} as const;

/**
 * Keysight B1500A with HRSMU (B1517A) or MPSMU (B1511A/B) modules, in its FLEX command set
 * (B1500A/B1505A Programming Guide; see docs/bench-setup.md for what we could and could not
 * check). Pulsed spot measurement (MM 3): PT hold, width, period; the pulse width 0.5 ms – 2 s in
 * 0.1 ms steps; the period 5 ms – 5 s and at least the width + 2 ms (width ≤ 100 ms) or + 10 ms
 * (longer), as EasyEXPERT's automatic period gives it; the hold time 0 – 655.35 s. The reading
 * sits at the end of the pulse, over the pulsed-measurement ADC's time (AIT 2, 3, t).
 */
export const B1500_FLEX = {
  minWidthS: 0.5e-3,
  maxWidthS: 2,
  widthResolutionS: 0.1e-3,
  minPeriodS: 5e-3,
  maxPeriodS: 5,
  maxHoldS: 655.35,
  /** A/D time mode (AIT 0|2, 3, t): 2 µs to 20 ms in 2 µs steps. */
  minAdcTimeS: 2e-6,
  maxAdcTimeS: 20e-3,
  /** High-resolution ADC in PLC mode (AIT 1, 2, N): N = 1 to 100. */
  maxPlc: 100,
  /** The modules this driver runs, as UNT? names them, and what they are. */
  smuModules: { B1517A: 'HRSMU', B1511A: 'MPSMU', B1511B: 'MPSMU' } as Readonly<Record<string, string>>,
  /** Modules in the mainframe that are not a DC SMU, named in the refusal. */
  otherModules: {
    B1530A: 'WGFMU (waveform generator/fast measurement unit)',
    B1525A: 'SPGU (pulse generator unit)',
    B1520A: 'MFCMU (capacitance measurement unit)',
    B1510A: 'HPSMU (high-power SMU, not supported here)',
    B1514A: 'MCSMU (medium-current SMU, not supported here)',
  } as Readonly<Record<string, string>>,
} as const;

/** EasyEXPERT's automatic pulse period for a width (s): 5 ms up to 3 ms, then width + 2 ms, or + 10 ms above 100 ms. */
export function b1500PulsePeriod(width: number): number {
  const period = width <= 3e-3 ? 5e-3 : width <= 100e-3 ? width + 2e-3 : width + 10e-3;
  return Math.min(B1500_FLEX.maxPeriodS, Number(period.toFixed(4)));
}

/**
 * Keithley 4200A-SCS through KXCI, its external-control program, at the SMU level. The facts we
 * hold come from PyMeasure's keithley4200.py and its protocol tests, not from the KXCI manual (not
 * in our library; docs/bench-setup.md lists what is unchecked):
 * - LAN port 1225, commands and replies end with NUL;
 * - `ID` answers "KI4200A V…"; `*OPT?` lists the cards ("SMU1,SMUPA2,…,CVU1");
 * - user-mode commands `US;DV ch,range,V,Icomp`, `US;DV ch` (the SMU back to 0 V), `US;TI ch` and
 *   `US;TV ch`, each setting answered "ACK"; readings as status, channel, type letters then the
 *   value ("NAI+1.2345E-06"); `SP` the status byte (bit 1 a syntax error), `BC` clears the buffer.
 * Pulses are DV steps timed by the host: KXCI's SMU commands have no pulse timing, and the
 * 4225-PMU's KXCI commands are not driven (no manual to check them against).
 */
export const K4200_KXCI = {
  port: 1225,
  /** The integration time IT4 takes in PLC (stand-in range: the 4200A's 0.01–10 PLC A/D aperture). */
  minPlc: 0.01,
  maxPlc: 10,
  /** A host-timed pulse is never shorter than this, whatever the link's round trip. */
  minHostPulseS: 5e-3,
  maxPulseS: 100,
  /** The output counts as off when the SMU's own voltage reading is within this of 0 V. */
  offVoltageV: 0.01,
  /** Status byte bits (PyMeasure's StatusCode). */
  status: { dataReady: 1, syntaxError: 2, busy: 16 },
} as const;

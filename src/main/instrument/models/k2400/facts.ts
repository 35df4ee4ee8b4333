/** The Keithley 2400 family's facts from its manual, read by both its driver and its simulator. */
import type { SmuModelInfo } from '../model';

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

/** What the app shows and checks of the model. */
export const K2400_INFO: SmuModelInfo & { id: '2400' } = {
  id: '2400',
  label: 'Keithley 2400',
  links: ['serial', 'gpib'],
  terminals: ['front', 'rear'],
  maxVoltage: 210,
  maxCompliance: 1.05,
  nplc: () => ({ min: 0.01, max: 10 }),
};

/** *IDN? as the 2400 answers it (the simulator's, with its serial). */
export const k2400Idn = (serial: string) =>
  `KEITHLEY INSTRUMENTS INC.,MODEL 2400,${serial},C32   Oct  4 2010 14:20:11/A02  /S/K`;

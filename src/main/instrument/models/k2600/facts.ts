/** The Keithley 2600B's facts from its manual, read by both its driver and its simulator. */
import type { SmuModelInfo } from '../model';

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
 * The 2636B's ranges (reference manual, "Range"): a range set to a value picks the lowest range
 * that holds it, and a value above the highest is refused. Source current starts at 100 nA; the
 * 100 pA–10 nA ranges are measure-only.
 */
export const K2636B_RANGES = {
  volts: [0.2, 2, 20, 200],
  sourceAmps: [100e-9, 1e-6, 10e-6, 100e-6, 1e-3, 10e-3, 100e-3, 1, 1.5],
  /** Voltage limit when sourcing current (reset: 20 V). */
  limitv: { min: 20e-3, max: 202, reset: 20 },
} as const;

/** What the app shows and checks of the model. */
export const K2600_INFO: SmuModelInfo & { id: '2600' } = {
  id: '2600',
  label: 'Keithley 2600B (TSP)',
  links: ['lan', 'usb', 'gpib'],
  terminals: ['rear'],
  maxVoltage: 200,
  maxCompliance: 1.5,
  nplc: () => ({ min: 0.001, max: 25 }),
};

/** *IDN? as a 2636B answers it (the simulator's, with its serial). */
export const k2600Idn = (serial: string) => `Keithley Instruments Inc., Model 2636B, ${serial}, 4.0.4`;
